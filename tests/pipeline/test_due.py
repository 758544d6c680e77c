"""When an open deal is due, on 15 November 2026 (the middle of Q4): an overdue deal counts in
the period holding that day, never in one already over; no date, no period."""

from datetime import date
from decimal import Decimal

import pytest

from core.periods import ALL_TIME, Period
from pipeline.due import due_in_q, due_on, due_period_case, is_overdue, overdue_q
from pipeline.models import Deal
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 15)
SEPTEMBER = Period(date(2026, 9, 1), date(2026, 10, 1))
OCTOBER = Period(date(2026, 10, 1), date(2026, 11, 1))
NOVEMBER = Period(date(2026, 11, 1), date(2026, 12, 1))
DECEMBER = Period(date(2026, 12, 1), date(2027, 1, 1))
JANUARY = Period(date(2027, 1, 1), date(2027, 2, 1))
Q4 = Period(date(2026, 10, 1), date(2027, 1, 1))
# Open deals by amount: expected close on each day, or none.
EXPECTED = {
    "500": date(2026, 9, 25),
    "1000": date(2026, 10, 20),
    "1500": date(2026, 11, 10),  # earlier this month: overdue, yet in its own month anyway
    "2000": date(2026, 11, 20),
    "4000": date(2026, 12, 10),
    "8000": date(2027, 1, 12),
    "300": None,
}


@pytest.fixture
def book(stages):
    for amount, expected in EXPECTED.items():
        DealFactory(stage=stages["Negotiation"], amount=Decimal(amount), expected_close_on=expected)
    DealFactory(
        stage=stages["Won"],
        amount=Decimal("700"),
        expected_close_on=date(2026, 10, 1),
        closed_on=date(2026, 10, 5),
    )


def due(period: Period) -> list[int]:
    deals = Deal.objects.filter(status="open").filter(due_in_q(period, TODAY))
    return sorted(int(amount) for amount in deals.values_list("amount", flat=True))


def test_the_current_period_takes_every_overdue_deal(book):
    assert due(NOVEMBER) == [500, 1000, 1500, 2000]
    assert due(Q4) == [500, 1000, 1500, 2000, 4000]


def test_a_period_already_over_has_no_open_deal_due(book):
    assert due(SEPTEMBER) == due(OCTOBER) == []


def test_a_later_period_takes_what_is_expected_in_it(book):
    assert due(DECEMBER) == [4000]
    assert due(JANUARY) == [8000]


def test_the_quarter_is_the_sum_of_its_months_from_today_on(book):
    assert due(Q4) == sorted(due(NOVEMBER) + due(DECEMBER))


def test_a_deal_without_an_expected_close_date_is_due_in_no_period(book):
    assert due(ALL_TIME) == [500, 1000, 1500, 2000, 4000, 8000]


def test_the_due_day_is_today_once_the_expected_date_has_passed(book):
    days = dict(
        Deal.objects.filter(status="open").annotate(due=due_on(TODAY)).values_list("amount", "due")
    )
    assert days[Decimal("500")] == days[Decimal("1500")] == TODAY
    assert days[Decimal("2000")] == date(2026, 11, 20)
    assert days[Decimal("300")] is None


def test_the_period_case_puts_overdue_deals_in_the_first_period(book):
    periods = Deal.objects.annotate(
        period=due_period_case("expected_close_on", [NOVEMBER, DECEMBER, JANUARY])
    ).filter(status="open")
    found = dict(periods.values_list("amount", "period"))
    assert found == {
        Decimal("500"): NOVEMBER.start,
        Decimal("1000"): NOVEMBER.start,
        Decimal("1500"): NOVEMBER.start,
        Decimal("2000"): NOVEMBER.start,
        Decimal("4000"): DECEMBER.start,
        Decimal("8000"): JANUARY.start,
        Decimal("300"): None,
    }


def test_only_open_deals_past_their_date_are_overdue(book):
    flagged = {int(d.amount): is_overdue(d, TODAY) for d in Deal.objects.all()}
    assert flagged == {
        500: True, 1000: True, 1500: True, 2000: False, 4000: False, 8000: False, 300: False,
        700: False,  # won, though its expected date has passed
    }  # fmt: skip
    queried = Deal.objects.filter(overdue_q(TODAY)).values_list("amount", flat=True)
    assert sorted(int(amount) for amount in queried) == [500, 1000, 1500]
