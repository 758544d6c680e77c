"""The pure arithmetic: no database."""

from datetime import date
from decimal import Decimal

import pytest

from core.periods import Period, bucket_starts, month_boundaries, weekdays_in
from metrics import formulas as f


@pytest.mark.parametrize(
    "won, lost, expected",
    [(0, 0, None), (3, 0, Decimal(1)), (0, 2, Decimal(0)), (1, 3, Decimal("0.25"))],
)
def test_win_rate(won, lost, expected):
    assert f.win_rate(won, lost) == expected


def test_win_rate_is_none_without_closed_deals():
    assert f.win_rate(0, 0) is None


def test_close_rate_is_closed_over_created():
    assert f.close_rate(2, 1, 4) == Decimal("0.75")
    assert f.close_rate(2, 1, 0) is None


def test_average_deal_size_needs_a_win():
    assert f.average_deal_size(Decimal("3000.50"), 2) == Decimal("1500.25")
    assert f.average_deal_size(Decimal(0), 0) is None


def test_weighted_amount_is_exact():
    assert f.weighted_amount(Decimal("37.00")) == Decimal("0.37")  # 0.37 x 100 %


def test_csat_and_nps_scales():
    assert f.csat(3, 4) == 75
    assert f.csat(0, 0) is None
    assert f.nps(5, 1, 10) == 40
    assert f.nps(0, 4, 4) == -100
    assert f.nps(0, 0, 0) is None


def test_arr_is_twelve_months_of_mrr():
    assert f.arr(Decimal("100.25")) == Decimal("1203.00")
    assert f.arr(None) is None


def test_clv_needs_churn():
    assert f.clv(Decimal(100), Decimal("0.7"), Decimal("0.05")) == 1400
    assert f.clv(Decimal(100), Decimal("0.7"), Decimal(0)) is None
    assert f.clv(None, Decimal("0.7"), Decimal("0.05")) is None


def test_pace():
    assert f.projected(Decimal(1000), 10, 30) == 3000
    assert f.projected(Decimal(1000), 0, 30) is None
    assert f.daily_needed(Decimal(1000), Decimal(3000), 4) == 500
    assert f.daily_needed(Decimal(4000), Decimal(3000), 4) == 0
    assert f.daily_needed(Decimal(1000), Decimal(3000), 0) is None
    assert f.daily_needed(Decimal(1000), None, 4) is None


def test_coverage_has_no_value_once_the_target_is_met():
    assert f.coverage(Decimal(3000), Decimal(2000), Decimal(1000)) == 3
    assert f.coverage(Decimal(3000), Decimal(2000), Decimal(2000)) is None
    assert f.coverage(Decimal(3000), None, Decimal(0)) is None


def test_per_rep_day():
    assert f.per_rep_day(30, 2, 5) == 3
    assert f.per_rep_day(30, 0, 5) is None
    assert f.per_rep_day(30, None, 5) is None


def test_cents_rounds_half_up_and_cleans_floats():
    assert f.cents(0.1 + 0.2) == Decimal("0.30")
    assert f.cents(Decimal("2.345")) == Decimal("2.35")
    assert f.cents(None) is None


def test_month_boundaries_cut_a_period_at_each_first_of_month():
    period = Period(date(2017, 1, 15), date(2017, 3, 10))
    assert month_boundaries(period) == [
        date(2017, 1, 15), date(2017, 2, 1), date(2017, 3, 1), date(2017, 3, 10),
    ]  # fmt: skip


def test_bucket_starts_and_weekdays():
    assert bucket_starts(date(2017, 2, 10), date(2017, 7, 1), "quarter") == [
        date(2017, 1, 1), date(2017, 4, 1), date(2017, 7, 1),
    ]  # fmt: skip
    assert weekdays_in(Period(date(2017, 1, 2), date(2017, 1, 16))) == 10
    assert weekdays_in(Period(date(2017, 1, 6), date(2017, 1, 10))) == 2  # Fri, Sat, Sun, Mon


@pytest.mark.parametrize(
    "counts, median",
    [
        ({}, None),
        ({7: 1}, Decimal(7)),
        ({10: 1, 20: 2, 71: 1}, Decimal(20)),
        ({1: 1, 4: 1}, Decimal("2.5")),
        ({3: 2, 9: 2}, Decimal(6)),
        ({0: 5, 100: 1}, Decimal(0)),
    ],
)
def test_median_of_a_frequency_table(counts, median):
    assert f.median_of_counts(counts) == median
