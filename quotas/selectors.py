"""Reads for quota planning: who a team's or territory's members are, what they sold, how sales
fall across the months, and the planning grid with roll-ups and the over-assignment gap."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from core.periods import PERIOD_MONTHS, Period, period_containing
from org.models import Role, Team, User
from quotas.models import Quota, QuotaMetric
from territories.models import Territory
from territories.selectors import territory_subtree_ids

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# What each quota metric counts in the deal family's aggregates.
ACTUAL_OF: dict[str, str] = {
    QuotaMetric.BOOKINGS: "revenue",
    QuotaMetric.NEW_RECURRING: "new_recurring",
    QuotaMetric.DEALS_WON: "won",
}


def plan_period(kind: str, start: date) -> Period:
    """The month, fiscal quarter or fiscal year starting on `start` (ValueError otherwise)."""
    if kind not in PERIOD_MONTHS:
        raise ValueError(f"A period is a month, quarter or year, not {kind!r}.")
    period = period_containing(start, kind)
    if period.start != start:
        raise ValueError(f"{start.isoformat()} does not start a fiscal {kind}.")
    return period


def member_list(
    *, period: Period, team: Team | None = None, territory: Territory | None = None
) -> list[User]:
    """Active reps of a team, or reps assigned during the period to a territory or any territory
    below it; by name."""
    reps = User.objects.filter(role=Role.REP, is_active=True)
    if team is not None:
        reps = reps.filter(team=team)
    else:
        assert territory is not None  # a team or a territory
        places = territory_subtree_ids([territory.pk])
        during = Q(territory_assignments__start__lt=period.end) & (
            Q(territory_assignments__end__isnull=True)
            | Q(territory_assignments__end__gte=period.start)
        )
        reps = reps.filter(during, territory_assignments__territory_id__in=places).distinct()
    return list(reps.order_by("last_name", "first_name", "username"))


@dataclass(frozen=True)
class Cell:
    """One rep's quota in the grid, None when not set."""

    rep: User
    amount: Decimal | None


@dataclass(frozen=True)
class GridRow:
    """A team or territory: its own quota if set explicitly, its members' quotas, the roll-up
    (the explicit quota, or else the sum of the members') and the gap between them."""

    assignee: Team | Territory
    explicit: Decimal | None
    members: tuple[Cell, ...]

    @property
    def field(self) -> str:
        return "team" if isinstance(self.assignee, Team) else "territory"

    @property
    def members_total(self) -> Decimal:
        return sum((cell.amount or ZERO for cell in self.members), ZERO)

    @property
    def rolled_up(self) -> Decimal:
        return self.members_total if self.explicit is None else self.explicit

    @property
    def gap(self) -> Decimal | None:
        """The assignee's quota less the sum of its reps' (below zero: over-assigned); None
        when the quota is only rolled up."""
        return None if self.explicit is None else self.explicit - self.members_total


def _amounts(quotas: QuerySet[Quota], field: str, ids: Iterable[int]) -> dict[int, Decimal]:
    rows = quotas.filter(**{f"{field}_id__in": list(ids)}).values_list(f"{field}_id", "amount")
    return dict(rows)


def quota_grid(
    quotas: QuerySet[Quota],
    people: QuerySet[User],
    *,
    teams: Iterable[Team],
    territories: Iterable[Territory],
    kind: str,
    start: date,
    metric: str,
) -> list[GridRow]:
    """The planning grid of one period and metric: a row per team, then per territory, from
    already scoped quotas and people."""
    period = plan_period(kind, start)
    quotas = quotas.filter(period=kind, start=start, metric=metric)
    visible = set(people.values_list("pk", flat=True))
    groups: list[tuple[str, Team | Territory, dict[str, Any]]]
    groups = [("team", team, {"team": team}) for team in teams]
    groups += [("territory", place, {"territory": place}) for place in territories]
    members = {
        (field, owner.pk): [m for m in member_list(period=period, **which) if m.pk in visible]
        for field, owner, which in groups
    }
    reps = _amounts(quotas, "rep", {m.pk for found in members.values() for m in found})
    own = {field: _amounts(quotas, field, [o.pk for f, o, _ in groups if f == field])
           for field in ("team", "territory")}  # fmt: skip
    return [
        GridRow(
            owner,
            own[field].get(owner.pk),
            tuple(Cell(rep, reps.get(rep.pk)) for rep in members[(field, owner.pk)]),
        )
        for field, owner, _ in groups
    ]


GRID_HEADER = ["kind", "name", "of", "quota", "reps_sum", "rolled_up", "gap"]


def quota_grid_lines(grid: list[GridRow]) -> Iterator[list]:
    """The grid as table rows (after GRID_HEADER): each team or territory, then its reps."""
    for row in grid:
        yield [row.field, str(row.assignee), None, row.explicit, row.members_total,
               row.rolled_up, row.gap]  # fmt: skip
        for cell in row.members:
            yield ["rep", str(cell.rep), str(row.assignee),
                   cell.amount, None, None, None]  # fmt: skip
