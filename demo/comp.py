"""Pay: the demo company's comp plans, who is on which, and a year of closed statements.

Reps are on a monthly plan with marginal tiers and an accelerator above 100 % (and a quarter's
SPIF on the add-on); the reps hired shortly before the year are on a ramp plan with a
recoverable draw, topped up while they ramp and won back once they earn more; managers on a
quarterly override measured on their team's attainment. The last twelve months are built and
closed in order, so draws carry over and two cancelled deals are clawed back; the `rep` login
has an open dispute on their latest closed statement.
"""

from datetime import date, timedelta
from decimal import Decimal

from compensation.models import (
    BonusThreshold,
    CompPlan,
    DisputeKind,
    LineKind,
    PlanAssignment,
    PlanComponent,
    RateTier,
    Statement,
)
from compensation.services import dispute_raise, statements_build, statements_close
from core.periods import add_months, period_containing
from demo.context import PAID_MONTHS, DemoContext
from demo.org import Org
from org.models import User
from pipeline.models import Deal, Product, Stage, StageKind

RAMP_DAYS = 180
REP_TIERS = ((0, 4), (50, 6), (100, 10), (150, 12))  # attainment % from, rate %
MANAGER_TIERS = ((0, "0.5"), (100, "1.5"))
SPIF_PRODUCT = "Analytics Add-on"
CLAWBACK_MONTHS = (4, 8)  # which months of the year lose a won deal to a cancellation
CANCELLED_AFTER = timedelta(days=25)
CLAWBACK_DAYS = 45


def comp_create(ctx: DemoContext, org: Org) -> int:
    """Plans, assignments, a year of closed statements (and the current open period); returns
    how many statements were built."""
    first = ctx.paid_from
    plans = _plans_create(first)
    _assign(ctx, org, plans, first)
    months = [add_months(first, offset) for offset in range(PAID_MONTHS)]
    for index, month in enumerate(months):
        statements_close(period="month", start=month, by=None, now=_closing(ctx, month, 1))
        if index in CLAWBACK_MONTHS:
            _cancel_one(ctx, month)
        quarter = period_containing(month, "quarter")
        if quarter.end == add_months(month, 1):
            statements_close(
                period="quarter", start=quarter.start, by=None, now=_closing(ctx, month, 1)
            )
    statements_build(period="month", start=ctx.today.replace(day=1))
    statements_build(period="quarter", start=period_containing(ctx.today, "quarter").start)
    _dispute_open()
    return Statement.objects.count()


def _closing(ctx: DemoContext, month: date, months: int):
    return ctx.at(add_months(month, months), 9 * 60)


def _plans_create(first: date) -> dict[str, CompPlan]:
    rep = CompPlan.objects.create(
        name="Account Executive", start=first, clawback_days=CLAWBACK_DAYS, cap=Decimal(60_000)
    )
    ramp = CompPlan.objects.create(
        name="Account Executive (ramp)",
        start=first,
        draw=Decimal(2500),
        clawback_days=CLAWBACK_DAYS,
    )
    manager = CompPlan.objects.create(
        name="Sales Manager override", start=first, period="quarter", team_override=True
    )
    for plan in (rep, ramp):
        _tiered(plan, "Bookings commission", REP_TIERS)
    _spif(rep, period_containing(add_months(first, 6), "quarter"))
    _tiered(manager, "Team override", MANAGER_TIERS)
    bonus = PlanComponent.objects.create(plan=manager, name="Team at quota", kind="bonus", order=2)
    BonusThreshold.objects.create(component=bonus, attainment=100, amount=Decimal(3000))
    return {"rep": rep, "ramp": ramp, "manager": manager}


def _tiered(plan: CompPlan, name: str, tiers) -> None:
    component = PlanComponent.objects.create(
        plan=plan, name=name, kind="commission", base="bookings"
    )
    RateTier.objects.bulk_create(
        RateTier(component=component, floor=Decimal(floor), rate=Decimal(rate))
        for floor, rate in tiers
    )


def _spif(plan: CompPlan, quarter) -> None:
    PlanComponent.objects.create(
        plan=plan,
        name=f"{SPIF_PRODUCT} SPIF",
        kind="spif",
        order=1,
        spif_product=Product.objects.get(name=SPIF_PRODUCT),
        spif_from=quarter.start,
        spif_to=quarter.end - timedelta(days=1),
        spif_fixed=Decimal(400),
    )


def _assign(ctx: DemoContext, org: Org, plans: dict[str, CompPlan], first: date) -> None:
    rows = []
    for rep in org.reps:
        start = max(first, rep.hired_on)
        ramping = (first - rep.hired_on).days < RAMP_DAYS
        rows.append(
            PlanAssignment(rep=rep.user, plan=plans["ramp" if ramping else "rep"], start=start)
        )
    managers = {team.manager for team in org.teams.values() if team.manager}
    rows += [
        PlanAssignment(rep=manager, plan=plans["manager"], start=first) for manager in managers
    ]
    PlanAssignment.objects.bulk_create(rows)


def _cancel_one(ctx: DemoContext, month: date) -> None:
    """The customer of a middle-sized deal won in the month cancels it soon after the month
    closed: the next statement claws its pay back."""
    won = list(
        Deal.objects.filter(
            status=StageKind.WON, closed_on__gte=month, closed_on__lt=add_months(month, 1)
        ).order_by("amount", "pk")
    )
    if not won:
        return
    deal = won[len(won) // 2]
    assert deal.closed_on is not None
    day = min(deal.closed_on + CANCELLED_AFTER, ctx.today)
    lost = Stage.objects.filter(kind=StageKind.LOST).order_by("order").first()
    Deal.objects.filter(pk=deal.pk).update(
        stage=lost,
        closed_on=day,
        lost_reason="Cancelled by the customer after signing",
        changed_at=lambda _deal: ctx.at(day, 10 * 60),
    )


def _dispute_open() -> None:
    """The `rep` login questions a commission line of their latest closed statement."""
    line = (
        Statement.objects.filter(
            rep__username="rep", status="closed", lines__kind=LineKind.COMMISSION
        )
        .order_by("-start")
        .first()
    )
    if line is None:
        return
    first = line.lines.filter(kind=LineKind.COMMISSION).order_by("position").first()
    assert first is not None
    dispute_raise(
        statement=line,
        by=User.objects.get(username="rep"),
        kind=DisputeKind.WRONG_AMOUNT,
        line=first,
        expected=first.amount + Decimal(150),
        actual=first.amount,
        description="The deal was signed at list price; the commission looks short by 150.",
    )
