"""The forecast grid: a scope and the people right under it, for one period, with what closed,
what the pipeline holds by forecast category, what the model says, each manager's call and the
quota.

Every figure is read from querysets the caller has already scoped to the viewer. The deal
figures are live (today's pipeline), and each is the sum of the deals `cell_deals` lists, so
a drill-down adds up to its cell. The model's figures are those of the latest forecast run.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum

from core.money import MONEY
from core.periods import Period, period_containing
from forecasting.models import ForecastCall, ForecastLine, ScopeKind
from metrics.queries.common import TOTAL
from metrics.queries.quotas import quota_rows
from org.models import Role, User
from pipeline.crediting import CREDITED_OWNER, credited_to, credited_to_tree
from pipeline.due import due_in_q
from pipeline.models import Deal, ForecastCategory, StageKind
from quotas.models import Quota, QuotaMetric

GRID_PERIODS = {"month": "This month", "quarter": "This quarter", "next_quarter": "Next quarter"}
DEAL_COLUMNS = {
    "closed": "Closed",
    "commit": "Commit",
    "best_case": "Best case",
    "pipeline": "Pipeline",
    "weighted": "Weighted pipeline",
}
MONEY_SUM = DecimalField(**MONEY)

HOW = {
    "closed": "Won deals closed in the period, credited to whoever closed them.",
    "commit": "Open deals in the Commit category due in the period (overdue ones count now).",
    "best_case": "Open deals in the Best case category due in the period.",
    "pipeline": "Open deals in the Pipeline category due in the period.",
    "weighted": "Closed, plus each open deal due in the period times its win probability "
    "learned from past deals, as of the latest forecast run.",
    "call": "The manager's latest call: their own commit and best case for the tree.",
    "rollup": "Each direct report's latest call, or without one their own roll-up; "
    "a rep's closed + commit.",
    "quota": "The period's bookings quota: the reps' quotas, or failing those the team's.",
    "gap": "Quota less the call, or without a call less closed + commit.",
}


def grid_period(choice: str, today: date) -> tuple[str, Period]:
    """(period kind, period) of a grid period choice: this month, this or next quarter."""
    if choice == "month":
        return "month", period_containing(today, "month")
    quarter = period_containing(today, "quarter")
    if choice == "quarter":
        return "quarter", quarter
    return "quarter", period_containing(quarter.end, "quarter")


@dataclass(frozen=True)
class Person:
    pk: int
    name: str
    role: str
    manager_id: int | None
    team: str


@dataclass(frozen=True)
class Node:
    """A grid row's scope: the company, a manager's reporting tree or a rep."""

    kind: str
    person: Person | None = None

    @property
    def key(self) -> str:
        return "" if self.person is None else str(self.person.pk)

    @property
    def name(self) -> str:
        if self.person is None:
            return "Company"
        return f"{self.person.team} · {self.person.name}" if self.person.team else self.person.name

    @property
    def param(self) -> str:
        """The node as a query-string value: `company`, `manager:12`, `rep:7`."""
        return self.kind if self.person is None else f"{self.kind}:{self.key}"


class People:
    """The people a viewer sees, with who reports to whom, read in two queries."""

    def __init__(self, people: QuerySet[User]) -> None:
        teams: dict[int, str] = {}
        for user in people.filter(managed_teams__isnull=False).values("id", "managed_teams__name"):
            teams.setdefault(user["id"], user["managed_teams__name"])
        self.by_id = {
            u.pk: Person(u.pk, str(u), u.role, u.manager_id, teams.get(u.pk, ""))
            for u in people.only("id", "first_name", "last_name", "username", "role", "manager")
        }
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for person in sorted(self.by_id.values(), key=lambda p: (p.team or p.name).lower()):
            boss = person.manager_id if person.manager_id in self.by_id else None
            self.children[boss].append(person.pk)

    def has_node(self, pk: int) -> bool:
        """Is `pk` someone with a grid of their own: a manager or a rep the viewer sees?"""
        return pk in self.by_id and self.by_id[pk].role in (Role.MANAGER, Role.REP)

    def node(self, pk: int) -> Node:
        person = self.by_id[pk]
        kind = ScopeKind.MANAGER if person.role == Role.MANAGER else ScopeKind.REP
        return Node(kind, person)

    def tree(self, pk: int) -> set[int]:
        found, todo = set(), [pk]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(self.children.get(current, []))
        return found

    def child_nodes(self, node: Node) -> list[Node]:
        """Under the company, the top managers (anyone above them skipped, as executives
        call nothing); under a manager, their direct reports who sell or manage."""
        if node.person is None:
            return [self.node(pk) for pk in self._top_managers(None)]
        pks = self.children.get(node.person.pk, [])
        return [self.node(pk) for pk in pks if self.by_id[pk].role in (Role.MANAGER, Role.REP)]

    def _top_managers(self, boss: int | None) -> list[int]:
        found = []
        for pk in self.children.get(boss, []):
            if self.by_id[pk].role in (Role.MANAGER, Role.REP):
                found.append(pk)
            else:
                found += self._top_managers(pk)
        return found


def node_deals(deals: QuerySet[Deal], people: People, node: Node) -> QuerySet[Deal]:
    """The deals counted for a node: closed ones as credited at close, open ones by owner."""
    if node.person is None:
        return deals
    if node.kind == ScopeKind.MANAGER:
        return deals.filter(credited_to_tree(node.person.pk, people.tree(node.person.pk)))
    return deals.filter(credited_to([node.person.pk]))


def column_q(column: str, period: Period, today: date) -> Q:
    """The deals a grid column adds up."""
    closed = Q(status=StageKind.WON, closed_on__gte=period.start, closed_on__lt=period.end)
    if column == "closed":
        return closed
    due = Q(status=StageKind.OPEN) & due_in_q(period, today)
    if column == "weighted":
        return closed | (due & ~Q(forecast_category=ForecastCategory.OMITTED))
    if column not in DEAL_COLUMNS:
        raise ValueError(f"No grid column {column}.")
    return due & Q(forecast_category=column)


def cell_deals(
    deals: QuerySet[Deal], people: People, node: Node, column: str, period: Period, today: date
) -> QuerySet[Deal]:
    """The deals behind one cell of the grid."""
    return node_deals(deals, people, node).filter(column_q(column, period, today))


@dataclass(frozen=True)
class Row:
    node: Node
    closed: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    line: ForecastLine | None  # the latest run's line: weighted pipeline and the model
    call: ForecastCall | None
    rollup: Decimal
    quota: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        if self.quota is None:
            return None
        return self.quota - (self.call.amount if self.call else self.closed + self.commit)


@dataclass(frozen=True)
class Sources:
    """The viewer's scoped querysets the grid reads."""

    deals: QuerySet[Deal]
    quotas: QuerySet[Quota]
    calls: QuerySet[ForecastCall]
    lines: QuerySet[ForecastLine]  # the latest run's, or none


def grid_rows(
    sources: Sources, people: People, root: Node, kind: str, period: Period, today: date
) -> list[Row]:
    """The root's row, then one per child: the figures of each for the period."""
    nodes = [root, *people.child_nodes(root)]
    calls = calls_in_force(sources.calls, kind, period.start)
    lines = {
        (line.scope_kind, line.scope_key): line
        for line in sources.lines.filter(period_kind=kind, period_start=period.start)
    }
    rollups = calls_rollup(sources.deals, people, calls, period, today)
    return [
        Row(
            node=node,
            **_deal_sums(node_deals(sources.deals, people, node), period, today),
            line=lines.get((node.kind, node.key)),
            call=calls.get((node.kind, node.key)),
            rollup=rollups(node),
            quota=node_quota(sources.quotas, people, node, period),
        )
        for node in nodes
    ]


def _deal_sums(deals: QuerySet[Deal], period: Period, today: date) -> dict[str, Decimal]:
    columns = ("closed", "commit", "best_case", "pipeline")
    sums = deals.aggregate(
        **{
            column: Sum("amount", filter=column_q(column, period, today), output_field=MONEY_SUM)
            for column in columns
        }
    )
    return {column: sums[column] or Decimal(0) for column in columns}


def calls_in_force(
    calls: QuerySet[ForecastCall], kind: str, start: date
) -> dict[tuple[str, str], ForecastCall]:
    """The latest call of each scope for the period: {(scope kind, scope key): call}."""
    latest: dict[tuple[str, str], ForecastCall] = {}
    rows = calls.filter(period_kind=kind, period_start=start).select_related("made_by")
    for call in rows.order_by("made_at", "id"):
        latest[call.scope_kind, call.scope_key] = call
    return latest


def calls_rollup(deals: QuerySet[Deal], people: People, calls: dict, period: Period, today: date):
    """A function giving each node's roll-up: its own closed + commit, plus each direct
    report's call, or without one that report's own roll-up."""
    sure = column_q("closed", period, today) | column_q("commit", period, today)
    own: dict[int | None, Decimal] = defaultdict(Decimal)
    for row in deals.filter(sure).values(person=CREDITED_OWNER).annotate(total=Sum("amount")):
        person = row["person"] if row["person"] in people.by_id else None
        own[person] += row["total"] or Decimal(0)
    done: dict[int | None, Decimal] = {}

    def rollup(pk: int | None) -> Decimal:
        if pk not in done:
            done[pk] = own[pk]  # a cycle in the reporting lines ends here
            total = own[pk]
            for child in people.children.get(pk, []):
                call = calls.get((ScopeKind.MANAGER, str(child)))
                total += call.amount if call else rollup(child)
            done[pk] = total
        return done[pk]

    return lambda node: rollup(None if node.person is None else node.person.pk)


def node_quota(
    quotas: QuerySet[Quota], people: People, node: Node, period: Period
) -> Decimal | None:
    """The node's bookings quota for the period (None when nobody has one)."""
    if node.person is not None and node.kind == ScopeKind.MANAGER:
        tree = people.tree(node.person.pk)
        quotas = quotas.filter(Q(rep_id__in=tree) | Q(team__manager_id__in=tree))
    elif node.person is not None:
        quotas = quotas.filter(rep_id=node.person.pk)
    rows = quota_rows(quotas, period, None) or {}
    return rows.get(TOTAL, {}).get(QuotaMetric.BOOKINGS)
