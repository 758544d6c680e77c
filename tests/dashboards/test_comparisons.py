"""Against the previous period, like for like: a quarter still running is compared with the same
number of days of the quarter before, and the page says so."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import QueryDict

from core.periods import Period, years_before
from dashboards.executive import executive_dashboard
from dashboards.filters import filters_from_query
from metrics.scope import Scope
from planning.selectors.performance import territory_performance
from tests.factories import DealFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

MID_QUARTER = date(2026, 11, 15)  # the 46th day of FY2026-Q4


def filters(user, on: date):
    query = QueryDict(mutable=True)
    query.update({"period": "quarter", "on": on.isoformat()})
    return filters_from_query(user, query, today=MID_QUARTER, period="quarter")


@pytest.fixture
def quarters(stages, rep):
    """Won 1,000 so far this quarter; last quarter 500 in its first 46 days and 700 later."""
    for closed_on, amount in [
        (date(2026, 10, 10), 1000),
        (date(2026, 7, 20), 500),
        (date(2026, 8, 15), 0),  # the 46th day of Q3 still counts: a zero-amount win
        (date(2026, 9, 1), 700),
    ]:
        DealFactory(
            owner=rep,
            stage=stages["Won"],
            amount=Decimal(amount),
            created_on=date(2026, 6, 1),
            closed_on=closed_on,
        )


def test_a_running_quarter_is_set_against_the_same_days_before(quarters, executive):
    window, words = filters(executive, MID_QUARTER).compared(MID_QUARTER)
    assert window == Period(date(2026, 7, 1), date(2026, 8, 16))
    assert words == "the same 46 days of FY2026-Q3 (to 2026-08-15)"
    board = executive_dashboard(executive, filters(executive, MID_QUARTER), MID_QUARTER)
    revenue = next(tile for tile in board.tiles if tile.key == "revenue")
    assert (revenue.value, revenue.change) == (Decimal(1000), "+100.0 %")
    assert revenue.note == "against the same 46 days of FY2026-Q3 (to 2026-08-15)"
    aov = next(tile for tile in board.tiles if tile.key == "average_deal_size")
    assert aov.change == "+300.0 %"  # 1,000 a deal against (500 + 0) / 2
    assert "against the same 46 days of FY2026-Q3" in board.subtitle


def test_a_finished_quarter_is_set_against_the_whole_one_before(quarters, executive):
    last_quarter = filters(executive, date(2026, 8, 1))
    window, words = last_quarter.compared(MID_QUARTER)
    assert (window, words) == (Period(date(2026, 4, 1), date(2026, 7, 1)), "FY2026-Q2")
    board = executive_dashboard(executive, last_quarter, MID_QUARTER)
    revenue = next(tile for tile in board.tiles if tile.key == "revenue")
    assert (revenue.value, revenue.change) == (Decimal(1200), "+1,200.0")  # from 0 in Q2


def test_territory_growth_is_set_against_the_same_days_a_year_before(stages, rep):
    north = TerritoryFactory(name="North")
    for closed_on, amount in [
        (date(2026, 10, 10), 1000),
        (date(2025, 10, 20), 500),
        (date(2025, 11, 15), 100),  # the same 46th day, a year ago
        (date(2025, 11, 16), 700),  # after 15 November a year ago: not yet comparable
    ]:
        DealFactory(
            owner=rep,
            territory=north,
            stage=stages["Won"],
            amount=Decimal(amount),
            created_on=date(2025, 6, 1),
            closed_on=closed_on,
        )
    quarter = Period(date(2026, 10, 1), date(2027, 1, 1))
    rows = territory_performance(Scope.everything(), quarter, today=MID_QUARTER)
    (row,) = [row for row in rows if row.territory == "North"]
    assert (row.revenue, row.previous_revenue) == (1000, 600)
    assert row.growth == Decimal(400) / Decimal(600)


def test_a_year_before_a_leap_day_is_the_28th():
    assert years_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert years_before(date(2026, 11, 16)) == date(2025, 11, 16)
