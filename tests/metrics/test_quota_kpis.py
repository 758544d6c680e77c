"""Quota attainment, pace and coverage, hand-computed. Q1 2017 has 90 days; today is
March 15, so 74 days have passed (today included) and 16 remain."""

from datetime import date
from decimal import Decimal

import pytest

from core.periods import ALL_TIME, Period
from metrics.scope import Scope
from metrics.service import kpi_panel
from tests.metrics.conftest import TODAY
from tests.metrics.factories import DealFactory, QuotaFactory

pytestmark = pytest.mark.django_db

Q1 = Period(date(2017, 1, 1), date(2017, 4, 1))
JANUARY = Period(date(2017, 1, 1), date(2017, 2, 1))


def won(stages, owner, amount: str, closed: date, **fields):
    DealFactory(stage=stages["Won"], owner=owner, amount=Decimal(amount),
                created_on=date(2016, 12, 1), closed_on=closed, **fields)  # fmt: skip


def quota(amount: str, period: str = "quarter", start: date = Q1.start, **fields):
    QuotaFactory(amount=Decimal(amount), period=period, start=start, **fields)


@pytest.fixture
def book(stages, rep, other_rep, idle_rep, recurring):
    won(stages, rep, "1000", date(2017, 1, 12), product=recurring)
    won(stages, rep, "3000", date(2017, 2, 10))
    DealFactory(stage=stages["Proposal"], owner=rep, amount=Decimal("2000"),
                expected_close_on=date(2017, 3, 20))  # fmt: skip
    for month in (1, 2, 3):
        quota("2000", "month", date(2017, month, 1), rep=rep)
    quota("5000", rep=rep)
    quota("4", rep=rep, metric="deals_won")
    quota("2000", rep=rep, metric="new_recurring")
    quota("1000", rep=other_rep)
    quota("9000", team=rep.team)


def groups(by: str, period: Period = Q1) -> dict:
    panel = kpi_panel(Scope.everything(), period, by, today=TODAY)
    return {group.key: group.values for group in panel.groups}


def test_the_longest_quota_counts_when_lengths_overlap(book):
    rita = groups("rep")["Rita Rep"]
    assert rita["quota"] == 5000  # the quarter, not the three months
    assert rita["quota_attainment"] == Decimal("0.8")
    assert (rita["deals_won_quota"], rita["deals_won_attainment"]) == (4, Decimal("0.5"))
    assert (rita["new_recurring_quota"], rita["new_recurring_attainment"]) == (2000, Decimal("0.5"))


def test_pace_projects_the_run_rate_and_spreads_what_is_missing(book):
    rita = groups("rep")["Rita Rep"]
    assert rita["projected_revenue"] == Decimal(4000) / 74 * 90
    assert rita["revenue_needed_per_day"] == Decimal("62.5")  # 1000 over 16 days


def test_coverage_is_weighted_pipeline_closing_in_the_period_over_what_remains(book):
    assert groups("rep")["Rita Rep"]["pipeline_coverage"] == Decimal("0.8")  # 800 / 1000


def test_no_quota_means_no_attainment(book):
    ida = groups("rep")["Ida Idle"]
    assert ida["quota"] is ida["quota_attainment"] is ida["pipeline_coverage"] is None
    assert ida["revenue_needed_per_day"] is None


def test_a_met_quota_needs_nothing_more_and_has_no_coverage(stages, rep):
    won(stages, rep, "6000", date(2017, 1, 12))
    quota("5000", rep=rep)
    rita = groups("rep")["Rita Rep"]
    assert rita["revenue_needed_per_day"] == 0
    assert rita["pipeline_coverage"] is None


def test_months_use_monthly_quotas(book):
    january = groups("month")["2017-01"]
    assert (january["quota"], january["quota_attainment"]) == (2000, Decimal("0.5"))
    assert groups("rep", JANUARY)["Rita Rep"]["quota"] == 2000


def test_teams_use_their_own_quota_else_their_members(book):
    teams = groups("team")
    assert teams["Mia's team"]["quota"] == 9000
    assert teams["Otto's team"]["quota"] == 1000


def test_company_quota_adds_up_rep_quotas(book):
    total = kpi_panel(Scope.everything(), Q1, today=TODAY).total
    assert (total["quota"], total["quota_attainment"]) == (6000, Decimal(4000) / 6000)


def test_all_history_has_no_pace(book):
    total = kpi_panel(Scope.everything(), ALL_TIME, today=TODAY).total
    assert total["projected_revenue"] is total["revenue_needed_per_day"] is None


def test_only_quotas_whose_whole_period_is_inside_count(book):
    # January holds the January quota only; the quarter's quotas run past it.
    assert groups("rep", JANUARY)["Rita Rep"]["quota"] == 2000
    # A period ending on February 20 holds January alone: February's quota ends in March.
    assert groups("rep", Period(date(2017, 1, 1), date(2017, 2, 20)))["Rita Rep"]["quota"] == 2000
    # Two full months and no quarter.
    assert groups("rep", Period(date(2017, 1, 1), date(2017, 3, 1)))["Rita Rep"]["quota"] == 4000
    assert groups("rep", Period(date(2017, 2, 1), date(2017, 3, 31)))["Rita Rep"]["quota"] == 2000


def test_a_period_ending_at_the_start_of_the_calendar_has_no_quota(book):
    dawn = Period(date.min, date(1, 2, 1))
    assert kpi_panel(Scope.everything(), dawn, "rep", today=TODAY).total["quota"] is None
