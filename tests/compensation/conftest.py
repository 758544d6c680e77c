"""Plans, won deals and assignments for compensation tests. Time is pinned: the deals' history
rows are written at their close dates and statements are built at NOW."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from compensation.models import CompPlan, PlanAssignment, PlanComponent, RateTier
from pipeline.models import Deal

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
NOW = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def make_plan(name: str = "Standard", *, tiers=((0, 10),), base: str = "bookings", **fields):
    """A monthly plan with one commission component and its rate table (floor %, rate %)."""
    plan = CompPlan.objects.create(name=name, start=date(2025, 1, 1), **fields)
    component = PlanComponent.objects.create(
        plan=plan, name="Commission", kind="commission", base=base
    )
    for floor, rate in tiers:
        RateTier.objects.create(component=component, floor=Decimal(floor), rate=Decimal(rate))
    return plan


def assign(rep, plan, start: date = date(2025, 1, 1)) -> PlanAssignment:
    return PlanAssignment.objects.create(rep=rep, plan=plan, start=start)


def won_deal(stages, owner, amount: str, closed_on: date, **fields) -> Deal:
    deal = Deal(
        name=fields.pop("name", f"Deal {amount}"),
        owner=owner,
        stage=stages["Won"],
        amount=Decimal(amount),
        created_on=date(2025, 12, 1),
        closed_on=closed_on,
        **fields,
    )
    deal.save(changed_at=at_noon(closed_on))
    return deal


def move(deal: Deal, stage, day: date) -> None:
    """Move a deal to another stage on `day` (its history row is written that day)."""
    deal.stage = stage
    deal.closed_on = day if stage.kind != "open" else None
    deal.save(changed_at=at_noon(day))


@pytest.fixture
def plan(db) -> CompPlan:
    return make_plan()
