"""Payout previews of open deals and what-if runs of changed plans: numbers, and no writes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compensation import engine
from compensation.models import DealCredit
from compensation.services import deal_payout_preview, plan_what_if
from pipeline.models import Deal
from quotas.models import Quota
from tests.compensation.conftest import JAN, assign, make_plan, won_deal

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 1, 20)


def writes(queries) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


@pytest.fixture
def tiered(stages, rep):
    plan = make_plan("Tiered", tiers=((0, 5), (100, 10)))
    assign(rep, plan)
    Quota.objects.create(rep=rep, period="month", start=JAN, metric="bookings", amount=10000)
    won_deal(stages, rep, "8000", date(2026, 1, 5), name="Won already")
    return plan


def open_deal(stages, owner, amount: str, **fields) -> Deal:
    return Deal.objects.create(
        name="Open", owner=owner, stage=stages["Negotiation"], amount=D(amount),
        created_on=date(2026, 1, 2), **fields,
    )  # fmt: skip


def test_an_open_deal_shows_what_it_would_add_to_the_reps_pay(tiered, stages, rep):
    deal = open_deal(stages, rep, "5000", expected_close_on=date(2026, 1, 28))

    with CaptureQueriesContext(connection) as queries:
        preview = deal_payout_preview(deal, rep, today=TODAY)

    # 8,000 won: 400. The deal takes attainment from 80 % to 130 %:
    # 2,000 x 5 % = 100 and 3,000 x 10 % = 300.
    assert (preview.total_without, preview.total_with, preview.payout) == (
        D("400.00"),
        D("800.00"),
        D("400.00"),
    )
    assert [(line.base, line.rate, line.amount) for line in preview.lines] == [
        (D(2000), D(5), D("100.00")),
        (D(3000), D(10), D("300.00")),
    ]
    assert (preview.closes_on, preview.period.start) == (date(2026, 1, 28), JAN)
    assert writes(queries.captured_queries) == []


def test_a_preview_uses_the_reps_share_and_today_when_the_expected_date_passed(
    tiered, stages, rep, other_rep
):
    deal = open_deal(stages, other_rep, "4000", expected_close_on=date(2026, 1, 3))
    DealCredit.objects.create(deal=deal, rep=rep, percent=D(50))
    DealCredit.objects.create(deal=deal, rep=other_rep, percent=D(50))

    preview = deal_payout_preview(deal, rep, today=TODAY)

    # 50 % of 4,000 = 2,000, all below quota: 2,000 x 5 % = 100.
    assert (preview.closes_on, preview.credit, preview.payout) == (TODAY, D(50), D("100.00"))


def test_a_rep_without_a_plan_or_share_is_previewed_at_zero(tiered, stages, rep, other_rep):
    deal = open_deal(stages, rep, "4000")

    assert deal_payout_preview(deal, other_rep, today=TODAY).payout == 0
    assert deal_payout_preview(deal, other_rep, today=TODAY).plan is None


def test_what_if_shows_pay_before_and_after_a_plan_change_and_saves_nothing(
    tiered, stages, rep, other_rep
):
    assign(other_rep, tiered)
    Quota.objects.create(rep=other_rep, period="month", start=JAN, metric="bookings", amount=10000)
    won_deal(stages, other_rep, "20000", date(2026, 1, 7), name="Theirs")
    accelerated = (engine.Tier(D(0), D(5)), engine.Tier(D(100), D(15)))

    with CaptureQueriesContext(connection) as queries:
        result = plan_what_if(
            plan=tiered,
            start=JAN,
            changes={"components": {"Commission": {"tiers": accelerated}}, "cap": D(1400)},
        )

    # Rita: 8,000 x 5 % = 400 either way. Olga: 10,000 x 5 % + 10,000 x 10 % = 1,500 before;
    # after, 500 + 10,000 x 15 % = 2,000, capped at 1,400. Cost of sales: 1,900 -> 1,800.
    assert [(row.rep, row.before, row.after, row.change) for row in result.rows] == [
        ("Rita Rep", D("400.00"), D("400.00"), D(0)),
        ("Olga Rep", D("1500.00"), D("1400.00"), D("-100.00")),
    ]
    assert (result.before, result.after, result.change) == (D(1900), D(1800), D(-100))
    assert writes(queries.captured_queries) == []


def test_what_if_with_a_lower_quota_moves_deals_into_the_accelerator(tiered, stages, rep):
    won_deal(stages, rep, "4000", date(2026, 1, 9), name="Second")

    result = plan_what_if(plan=tiered, start=JAN, quota_percent=D(50))

    # Before: 12,000 on a 10,000 quota: 500 + 2,000 x 10 % = 700. After, quota 5,000:
    # 5,000 x 5 % + 7,000 x 10 % = 250 + 700 = 950.
    row = result.rows[0]
    assert (row.quota_before, row.quota_after) == (D(10000), D(5000))
    assert (result.before, result.after, result.change) == (D("700.00"), D("950.00"), D("250.00"))


def test_what_if_refuses_unknown_changes(tiered):
    with pytest.raises(ValidationError, match="No component named Bonus"):
        plan_what_if(plan=tiered, start=JAN, changes={"components": {"Bonus": {"cap": D(1)}}})
    with pytest.raises(ValidationError, match="Cannot change name"):
        plan_what_if(plan=tiered, start=JAN, changes={"name": "x"})
