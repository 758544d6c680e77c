"""Reads for compensation: plans as engine terms, and what the engine needs per rep and period.

Each function answers for many reps in a few queries (never one query per deal).
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from compensation import engine
from compensation.models import (
    ComponentKind,
    CompPlan,
    DealCredit,
    Dispute,
    DisputeStatus,
    PlanAssignment,
    PlanComponent,
    Statement,
    StatementLine,
    StatementStatus,
)
from core.periods import PERIOD_MONTHS, Period, add_months, is_period_start
from org.models import Team
from pipeline.models import Billing, Deal, DealChange, DealType, StageKind, Subscription
from quotas.models import Quota

HUNDRED = Decimal(100)


def pay_period(kind: str, start: date) -> Period:
    """The month or fiscal quarter starting on `start`, which must start one."""
    if kind not in ("month", "quarter") or not is_period_start(start, kind):
        raise ValidationError({"start": f"{start.isoformat()} does not start a fiscal {kind}."})
    return Period(start, add_months(start, PERIOD_MONTHS[kind]))


def _commission(component: PlanComponent) -> engine.Commission:
    tiers = tuple(engine.Tier(tier.floor, tier.rate) for tier in component.tiers.all())
    return engine.Commission(component.name, component.base, tiers, component.cap)


def _spif(component: PlanComponent) -> engine.Spif:
    return engine.Spif(
        component.name,
        fixed=component.spif_fixed,
        percent=component.spif_percent,
        product_id=component.spif_product_id,
        closed_from=component.spif_from,
        closed_to=component.spif_to,
        min_amount=component.spif_min_amount,
        cap=component.cap,
    )


def _bonus(component: PlanComponent) -> engine.Bonus:
    steps = tuple(engine.Threshold(t.attainment, t.amount) for t in component.thresholds.all())
    return engine.Bonus(component.name, steps, component.cap)


def plan_terms(plan: CompPlan) -> engine.Plan:
    """A plan as the engine reads it."""
    components = list(plan.components.prefetch_related("tiers", "thresholds"))

    def of(kind: str, convert) -> tuple:
        return tuple(convert(c) for c in components if c.kind == kind)

    return engine.Plan(
        name=plan.name,
        currency=plan.currency,
        quota_metric=plan.quota_metric,
        margin_percent=plan.margin_percent,
        commissions=of(ComponentKind.COMMISSION, _commission),
        spifs=of(ComponentKind.SPIF, _spif),
        bonuses=of(ComponentKind.BONUS, _bonus),
        cap=plan.cap,
        draw=plan.draw,
        draw_recoverable=plan.draw_recoverable,
        clawback_days=plan.clawback_days,
    )


def assignments_in(
    period: Period, kind: str, rep_ids: Collection[int] | None = None
) -> dict[int, PlanAssignment]:
    """Each rep's plan for a period: of the assignments overlapping it, on a plan in force
    during it that pays per `kind`, the one that starts last."""
    overlapping = Q(start__lt=period.end) & (Q(end__isnull=True) | Q(end__gte=period.start))
    in_force = Q(plan__start__lt=period.end) & (
        Q(plan__end__isnull=True) | Q(plan__end__gte=period.start)
    )
    rows = PlanAssignment.objects.filter(overlapping, in_force, plan__period=kind)
    if rep_ids is not None:
        rows = rows.filter(rep_id__in=rep_ids)
    return {row.rep_id: row for row in rows.select_related("plan").order_by("rep_id", "start")}


def quota_amounts(
    rep_ids: Collection[int], kind: str, start: date
) -> dict[tuple[int, str], Decimal]:
    """(rep id, metric) -> the rep's own quota for the period."""
    rows = Quota.objects.filter(rep_id__in=rep_ids, period=kind, start=start)
    return {
        (rep, metric): amount
        for rep, metric, amount in rows.values_list("rep_id", "metric", "amount")
    }


def _won_in(period: Period) -> QuerySet[Deal]:
    return Deal.objects.filter(
        status=StageKind.WON,
        closed_on__gte=period.start,
        closed_on__lt=period.end,
        amount__isnull=False,
    )


def credited_deals(
    period: Period, rep_ids: Collection[int] | None = None
) -> dict[int, list[engine.CreditedDeal]]:
    """Won deals closed in the period, per credited rep: 100 % to the owner who closed it unless
    the deal is split by `DealCredit` rows."""
    won = _won_in(period)
    if rep_ids is not None:
        # Semi-joins, not a join on credits: an OR across a join made PostgreSQL crawl.
        shared = DealCredit.objects.filter(rep_id__in=rep_ids).values("deal_id")
        won = won.filter(Q(closed_owner_id__in=rep_ids) | Q(pk__in=shared))
    shares = defaultdict(list)
    credits = DealCredit.objects.filter(deal_id__in=won.values("pk"))
    for deal_id, rep_id, percent in credits.values_list("deal_id", "rep_id", "percent"):
        shares[deal_id].append((rep_id, percent))
    result = defaultdict(list)
    fields = (
        "id",
        "name",
        "amount",
        "closed_on",
        "closed_owner_id",
        "product_id",
        "product__billing",
        "type",
    )
    for row in won.values(*fields):
        owner = [(row["closed_owner_id"], HUNDRED)] if row["closed_owner_id"] else []
        for rep_id, percent in shares.get(row["id"], owner):
            if rep_ids is None or rep_id in rep_ids:
                result[rep_id].append(credited(row, percent))
    return result


def team_deals(
    period: Period, manager_ids: Collection[int]
) -> dict[int, list[engine.CreditedDeal]]:
    """Won deals closed in the period by the teams each manager leads (the team credited at
    close), each at 100 %: what a manager's override measures."""
    teams = dict(Team.objects.filter(manager_id__in=manager_ids).values_list("pk", "manager_id"))
    result = defaultdict(list)
    fields = ("id", "name", "amount", "closed_on", "closed_team_id", "product_id")
    rows = _won_in(period).filter(closed_team_id__in=teams)
    for row in rows.values(*fields, "product__billing", "type"):
        result[teams[row["closed_team_id"]]].append(credited(row, HUNDRED))
    return result


def team_quota_amounts(
    manager_ids: Collection[int], kind: str, start: date
) -> dict[tuple[int, str], Decimal]:
    """(manager id, metric) -> the quotas of the teams they lead, added up, for the period."""
    rows = Quota.objects.filter(team__manager_id__in=manager_ids, period=kind, start=start)
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for manager, metric, amount in rows.values_list("team__manager_id", "metric", "amount"):
        if manager is not None:
            totals[manager, metric] += amount
    return dict(totals)


def credited(row: dict, percent: Decimal) -> engine.CreditedDeal:
    return engine.CreditedDeal(
        deal_id=row["id"],
        name=row["name"],
        amount=row["amount"],
        credit=percent,
        closed_on=row["closed_on"],
        product_id=row["product_id"],
        recurring=row["product__billing"] == Billing.RECURRING,
        new_business=row["type"] == DealType.NEW_BUSINESS,
    )


def draw_balances(rep_ids: Collection[int], before: date) -> dict[int, Decimal]:
    """The recoverable draw each rep still owed after their latest closed statement."""
    rows = Statement.objects.filter(
        rep_id__in=rep_ids, status=StatementStatus.CLOSED, start__lt=before
    ).order_by("rep_id", "-start")
    balances: dict[int, Decimal] = {}
    for rep_id, balance in rows.values_list("rep_id", "draw_balance"):
        balances.setdefault(rep_id, balance)
    return balances


@dataclass(frozen=True)
class Payment:
    rep_id: int
    deal_id: int
    name: str
    closed_on: date
    paid: Decimal


def payments_standing(rep_ids: Collection[int], before: date) -> list[Payment]:
    """Deals whose lines on the reps' closed statements before `before` still add up to more
    than zero (not yet clawed back)."""
    rows = (
        StatementLine.objects.filter(
            statement__rep_id__in=rep_ids,
            statement__status=StatementStatus.CLOSED,
            statement__start__lt=before,
            deal__isnull=False,
        )
        .values("statement__rep_id", "deal_id")
        .annotate(paid=Sum("amount"), closed_on=Max("closed_on"), name=Max("deal_name"))
        .filter(paid__gt=0)
    )
    return [
        Payment(
            row["statement__rep_id"], row["deal_id"], row["name"], row["closed_on"], row["paid"]
        )
        for row in rows
        if row["closed_on"] is not None
    ]


def cancellations(deal_ids: Collection[int]) -> dict[int, list[date]]:
    """Days each deal left a won stage (from its history, in the site's time zone)."""
    rows = DealChange.objects.filter(deal_id__in=deal_ids).order_by("deal_id", "changed_at", "id")
    found: dict[int, list[date]] = defaultdict(list)
    was_won: dict[int, bool] = {}
    for deal_id, at, kind in rows.values_list("deal_id", "changed_at", "status"):
        if was_won.get(deal_id) and kind != StageKind.WON:
            found[deal_id].append(timezone.localdate(at))
        was_won[deal_id] = kind == StageKind.WON
    return found


def churns(deal_ids: Collection[int]) -> dict[int, list[date]]:
    """Days the customer of each deal churned: a subscription of its account ended and no other
    subscription of the account was active that day (MRR fell to zero)."""
    accounts = dict(
        Deal.objects.filter(pk__in=deal_ids, account__isnull=False).values_list("pk", "account_id")
    )
    rows = defaultdict(list)
    for account_id, start, end in Subscription.objects.filter(
        account_id__in=set(accounts.values())
    ).values_list("account_id", "start", "end"):
        rows[account_id].append((start, end))
    days = {account: churn_days(spans) for account, spans in rows.items()}
    return {deal: days.get(account, []) for deal, account in accounts.items()}


def churn_days(spans: Iterable[tuple[date, date | None]]) -> list[date]:
    spans = list(spans)

    def active(day: date) -> bool:
        return any(start <= day and (end is None or end > day) for start, end in spans)

    return sorted({end for _, end in spans if end is not None and not active(end)})


def paid_deals(rep_ids: Collection[int], period: Period) -> dict[int, list[engine.PaidDeal]]:
    """Deals paid to each rep on closed statements before the period that were cancelled or
    whose customer churned on or after closing and before the period ends."""
    payments = payments_standing(rep_ids, period.start)
    ids = {payment.deal_id for payment in payments}
    events = {"cancelled": cancellations(ids), "churned": churns(ids)}
    result = defaultdict(list)
    for payment in payments:
        found = [
            (day, name)
            for name, by_deal in events.items()
            for day in by_deal.get(payment.deal_id, [])
            if payment.closed_on <= day < period.end
        ]
        if found:
            day, name = min(found)
            result[payment.rep_id].append(
                engine.PaidDeal(
                    payment.deal_id, payment.name, payment.closed_on, payment.paid, name, day
                )
            )
    return result


def disputes_pending(
    kind: str, rep_ids: Collection[int] | None, before: date
) -> dict[int, list[Dispute]]:
    """Accepted disputes about the reps' statements before `before` that no closed statement
    has paid yet, per rep, in the order they were accepted."""
    rows = Dispute.objects.filter(
        status=DisputeStatus.ACCEPTED,
        adjustment__isnull=True,
        amount__isnull=False,
        statement__period=kind,
        statement__start__lt=before,
    )
    if rep_ids is not None:
        rows = rows.filter(statement__rep_id__in=rep_ids)
    found: dict[int, list[Dispute]] = defaultdict(list)
    for dispute in rows.select_related("statement", "deal", "resolved_by").order_by(
        "resolved_at", "id"
    ):
        found[dispute.statement.rep_id].append(dispute)
    return found


@dataclass(frozen=True)
class RepInputs:
    """Everything the engine needs for one rep and period."""

    rep_id: int
    assignment: PlanAssignment
    terms: engine.Plan
    quota: Decimal | None
    deals: tuple[engine.CreditedDeal, ...]
    paid: tuple[engine.PaidDeal, ...]
    draw_balance: Decimal

    def compute(self, period: Period) -> engine.Result:
        return engine.statement_compute(
            self.terms,
            self.quota,
            self.deals,
            period,
            paid=self.paid,
            draw_balance=self.draw_balance,
        )


def period_inputs(
    kind: str, period: Period, rep_ids: Collection[int] | None = None
) -> list[RepInputs]:
    """The engine's inputs for every rep on a plan paying per `kind` during the period."""
    assignments = assignments_in(period, kind, rep_ids)
    ids = set(assignments)
    plans = {a.plan_id: a.plan for a in assignments.values()}
    terms = {pk: plan_terms(plan) for pk, plan in plans.items()}  # once per plan, not per rep
    managers = {rep_id for rep_id, a in assignments.items() if a.plan.team_override}
    own = ids - managers
    quotas = quota_amounts(own, kind, period.start) if own else {}
    deals = credited_deals(period, own) if own else {}
    if managers:
        quotas |= team_quota_amounts(managers, kind, period.start)
        deals |= team_deals(period, managers)
    paid = paid_deals(ids, period)
    balances = draw_balances(ids, period.start)
    return [
        RepInputs(
            rep_id=rep_id,
            assignment=assignment,
            terms=terms[assignment.plan_id],
            quota=quotas.get((rep_id, assignment.plan.quota_metric)),
            deals=tuple(deals.get(rep_id, ())),
            paid=tuple(paid.get(rep_id, ())),
            draw_balance=balances.get(rep_id, Decimal(0)),
        )
        for rep_id, assignment in sorted(assignments.items())
    ]


def statement_list(statements: QuerySet[Statement]) -> QuerySet[Statement]:
    """Statements (already scoped) newest first, with their rep and plan."""
    return statements.select_related("rep", "plan").order_by("-start", "rep__last_name", "rep_id")


def statement_get(statements: QuerySet[Statement], pk: int) -> Statement | None:
    """One statement from a scoped queryset, with its lines; None when out of scope."""
    return statements.select_related("rep", "plan").prefetch_related("lines").filter(pk=pk).first()


CSV_HEADER = [
    *("position", "kind", "component", "deal_id", "deal", "closed_on", "credit_percent"),
    *("base", "tier", "rate_percent", "exact", "amount", "explanation", "by", "reason"),
]


def statement_rows(statement: Statement) -> list[list]:
    """A statement as CSV rows (after CSV_HEADER): one row per line, and the total."""
    rows: list[list] = []
    for line in statement.lines.select_related("created_by"):
        rows.append(
            [
                *(line.position, line.kind, line.component, line.deal_id),
                *(line.deal_name, line.closed_on, line.credit),
                *(line.base, line.tier, line.rate),
                *(line.exact, line.amount, line.explanation),
                *(line.created_by.username if line.created_by else None, line.reason),
            ]
        )
    rows.append(["", "total", "", "", "", "", "", "", "", "", "", statement.total, ""])
    return rows
