"""Properties of the engine over generated plans and deals (and of the database build)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compensation.engine import (
    Bonus,
    Commission,
    CreditedDeal,
    PaidDeal,
    Plan,
    Spif,
    Threshold,
    Tier,
    statement_compute,
)
from compensation.engine.compute import measure_of
from compensation.models import Statement, StatementLine
from compensation.services import statements_build
from core.periods import Period
from tests.compensation.conftest import JAN, NOW, assign, make_plan, won_deal
from tests.factories import UserFactory

JANUARY = Period(JAN, date(2026, 2, 1))
EXAMPLES = settings(max_examples=50, deadline=None)

money = st.decimals(0, 200_000, places=2)
percents = st.decimals(0, 40, places=2)
deals = st.lists(
    st.builds(
        CreditedDeal,
        deal_id=st.integers(1, 10_000),
        name=st.just("d"),
        amount=money,
        credit=st.sampled_from([Decimal(100), Decimal(50), Decimal("33.33"), Decimal(25)]),
        closed_on=st.integers(0, 30).map(lambda d: JAN + timedelta(days=d)),
        recurring=st.booleans(),
        product_id=st.sampled_from([None, 1, 2]),
    ),
    max_size=12,
    unique_by=lambda deal: deal.deal_id,
)


@st.composite
def rising_tiers(draw) -> tuple[Tier, ...]:
    """Rates that never go down as attainment goes up, floors from 0 %."""
    floors = sorted(draw(st.sets(st.integers(1, 200), max_size=4)))
    rates = sorted(draw(st.lists(percents, min_size=len(floors) + 1, max_size=len(floors) + 1)))
    return tuple(Tier(Decimal(f), r) for f, r in zip([0, *floors], rates, strict=True))


# Mostly uncapped, so caps and draws do not hide what the tiers pay.
caps = st.sampled_from([None, None, None, "cap"]).flatmap(
    lambda cap: st.none() if cap is None else st.decimals(0, 20_000, places=2)
)


@st.composite
def plans(draw, rising: bool = True) -> Plan:
    tiers = (
        rising_tiers()
        if rising
        else st.lists(st.builds(Tier, st.integers(0, 200).map(Decimal), percents), max_size=4).map(
            tuple
        )
    )
    base = st.sampled_from(["bookings", "recurring", "margin"])
    commissions = st.lists(st.builds(Commission, st.just("c"), base, tiers, caps), max_size=2)
    named = st.builds(
        lambda items: tuple(replace(c, name=f"c{i}") for i, c in enumerate(items)), commissions
    )
    thresholds = st.lists(
        st.builds(Threshold, st.integers(50, 200).map(Decimal), money), max_size=3
    )
    return Plan(
        "p",
        quota_metric=draw(st.sampled_from(["bookings", "new_recurring", "deals_won"])),
        margin_percent=draw(percents),
        commissions=draw(named),
        spifs=tuple(
            draw(st.lists(st.builds(Spif, st.just("s"), fixed=money, cap=caps), max_size=1))
        ),
        bonuses=tuple(
            draw(st.lists(st.builds(Bonus, st.just("b"), thresholds.map(tuple), caps), max_size=1))
        ),
        cap=draw(caps),
        draw=draw(caps),
    )


quotas = st.none() | st.decimals(1, 500_000, places=2)
ratios = st.decimals("0.2", "3", places=2)


def quota_near(plan: Plan, deals: list[CreditedDeal], ratio: Decimal) -> Decimal | None:
    """A quota that puts the deals' attainment around 100 % / ratio, where tiers and bonuses
    change, whatever the plan's quota metric."""
    attained = sum((measure_of(plan, deal) for deal in deals), Decimal(0))
    return (attained * ratio).quantize(Decimal("0.01")) or None


@EXAMPLES
@given(plan=plans(), some=deals, more=deals, ratio=ratios, balance=money)
def test_pay_never_decreases_when_attainment_grows_by_more_deals(plan, some, more, ratio, balance):
    ids = {deal.deal_id for deal in some}
    more = [deal for deal in more if deal.deal_id not in ids]
    quota = quota_near(plan, some + more, ratio)

    before = statement_compute(plan, quota, some, JANUARY, draw_balance=balance)
    after = statement_compute(plan, quota, some + more, JANUARY, draw_balance=balance)

    assert after.attained >= before.attained
    assert after.total >= before.total


@EXAMPLES
@given(plan=plans(), some=deals, ratio=ratios, cut=st.integers(1, 99))
def test_pay_never_decreases_when_attainment_grows_by_a_lower_quota(plan, some, ratio, cut):
    quota = quota_near(plan, some, ratio)
    lower = quota and ((quota * cut / 100).quantize(Decimal("0.01")) or Decimal("0.01"))

    assert (
        statement_compute(plan, lower, some, JANUARY).total
        >= statement_compute(plan, quota, some, JANUARY).total
    )


def earned_by(result, name: str) -> Decimal:
    return sum((line.amount for line in result.lines if line.component == name), Decimal(0))


@EXAMPLES
@given(plan=plans(rising=False), some=deals, quota=quotas)
def test_a_cap_is_never_exceeded(plan, some, quota):
    plan = replace(plan, draw=None)  # a draw is a floor on pay, not earnings

    result = statement_compute(plan, quota, some, JANUARY)

    for component in (*plan.commissions, *plan.spifs, *plan.bonuses):
        if component.cap is not None:
            assert earned_by(result, component.name) <= component.cap
    if plan.cap is not None:
        assert result.total <= plan.cap


paid = st.lists(
    st.builds(
        PaidDeal,
        deal_id=st.integers(1, 50),
        name=st.just("p"),
        closed_on=st.integers(0, 60).map(lambda d: date(2025, 12, 1) + timedelta(days=d)),
        paid=money,
        event=st.sampled_from(["cancelled", "churned"]),
        event_on=st.integers(0, 60).map(lambda d: JAN + timedelta(days=d)),
    ),
    max_size=4,
)


@EXAMPLES
@given(plan=plans(rising=False), some=deals, quota=quotas, claws=paid, balance=money)
def test_lines_add_up_to_the_total_in_cents(plan, some, quota, claws, balance):
    plan = replace(plan, clawback_days=45)

    result = statement_compute(plan, quota, some, JANUARY, paid=claws, draw_balance=balance)

    assert sum((line.amount for line in result.lines), Decimal(0)) == result.total
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in result.lines)
    assert result.total == result.total.quantize(Decimal("0.01"))


@EXAMPLES
@given(plan=plans(rising=False), some=deals, quota=quotas, order=st.randoms())
def test_recomputing_gives_the_same_lines_whatever_the_deal_order(plan, some, quota, order):
    shuffled = list(some)
    order.shuffle(shuffled)

    assert statement_compute(plan, quota, shuffled, JANUARY) == statement_compute(
        plan, quota, some, JANUARY
    )


def snapshot() -> list[tuple]:
    lines = StatementLine.objects.order_by("statement__rep_id", "position")
    return [
        (s.rep_id, s.total, s.attained, s.attainment, s.draw_balance)
        for s in Statement.objects.order_by("rep_id")
    ] + list(
        lines.values_list("statement__rep_id", "position", "kind", "deal_id", "base", "amount")
    )


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=st.lists(st.decimals(1, 90_000, places=2), min_size=1, max_size=6))
def test_building_a_statement_twice_gives_the_same_statement_and_no_duplicates(stages, amounts):
    with transaction.atomic():
        plan = make_plan("Tiered", tiers=((0, 3), (50, 6), (100, 9)), draw=Decimal(1000))
        reps = [UserFactory(username=f"prop{i}") for i in range(2)]
        for rep in reps:
            assign(rep, plan)
        for i, amount in enumerate(amounts):
            won_deal(stages, reps[i % 2], str(amount), JAN + timedelta(days=i))

        statements_build(period="month", start=JAN, now=NOW)
        first = snapshot()
        statements_build(period="month", start=JAN, now=NOW)

        assert snapshot() == first
        assert Statement.objects.count() == 2
        for statement in Statement.objects.all():
            assert sum(line.amount for line in statement.lines.all()) == statement.total
        transaction.set_rollback(True)
