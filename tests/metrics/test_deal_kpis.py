"""The deal family on a tiny, hand-computed data set (period: Q1 2017)."""

from datetime import date
from decimal import Decimal

import pytest

from core.periods import ALL_TIME, Period
from metrics.scope import Scope
from metrics.service import kpi_panel, kpi_series
from tests.metrics.conftest import TODAY
from tests.metrics.factories import AccountFactory, DealFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

Q1 = Period(date(2017, 1, 1), date(2017, 4, 1))


def deal(stage, owner, amount, created, closed=None, **fields):
    amount = None if amount is None else Decimal(amount)
    return DealFactory(
        stage=stage, owner=owner, amount=amount, created_on=created, closed_on=closed, **fields
    )


@pytest.fixture
def book(stages, rep, other_rep, idle_rep, recurring, one_time):
    """Rita: 2 won, 1 lost, 2 open in Q1 and a win of 2016; Olga: 1 lost; Ida: nothing."""
    won, lost = stages["Won"], stages["Lost"]
    west, smb = TerritoryFactory(name="West"), AccountFactory(segment="smb")
    deal(
        won,
        rep,
        "1000",
        date(2017, 1, 2),
        date(2017, 1, 12),
        product=recurring,
        territory=west,
        account=smb,
    )
    deal(
        won,
        rep,
        "3000",
        date(2016, 12, 1),
        date(2017, 2, 10),
        product=one_time,
        type="expansion",
        territory=west,
    )
    deal(lost, rep, "500", date(2017, 2, 1), date(2017, 2, 21))
    deal(stages["Proposal"], rep, "2000", date(2017, 3, 1), expected_close_on=date(2017, 3, 20))
    deal(stages["Negotiation"], rep, "1000", date(2016, 11, 1), expected_close_on=date(2017, 5, 1))
    deal(won, rep, "700", date(2016, 10, 1), date(2016, 12, 15))
    deal(lost, other_rep, "200", date(2017, 1, 5), date(2017, 1, 25), account=smb)
    deal(stages["Prospecting"], other_rep, None, date(2017, 4, 2))
    return {"west": west, "smb": smb}  # fmt: skip


def groups(by: str, period: Period = Q1) -> dict:
    panel = kpi_panel(Scope.everything(), period, by, today=TODAY)
    return {group.key: group.values for group in panel.groups}


def test_rep_with_wins_losses_and_open_deals(book):
    rita = groups("rep")["Rita Rep"]
    assert (rita["deals_won"], rita["deals_lost"], rita["opportunities"]) == (2, 1, 3)
    assert rita["revenue"] == Decimal("4000.00")
    assert (rita["revenue_new_customers"], rita["revenue_existing_customers"]) == (1000, 3000)
    assert (rita["revenue_recurring"], rita["revenue_one_time"]) == (1000, 3000)
    assert rita["new_recurring_revenue"] == 1000
    assert rita["win_rate"] == Decimal(2) / 3
    assert rita["close_rate"] == 1
    assert rita["average_deal_size"] == 2000
    assert rita["sales_cycle_days_median"] == 20  # cycles 10, 71 and 20 days
    assert rita["sales_cycle_days_mean"] == Decimal(101) / 3
    assert (rita["open_deals"], rita["pipeline_amount"]) == (2, 3000)
    assert rita["weighted_pipeline"] == Decimal("1500")  # 2000 x 40 % + 1000 x 70 %
    assert (rita["reps"], rita["revenue_per_rep"]) == (1, 4000)


def test_rep_who_only_lost_has_a_zero_win_rate_and_no_deal_size(book):
    olga = groups("rep")["Olga Rep"]
    assert (olga["deals_won"], olga["deals_lost"], olga["revenue"]) == (0, 1, 0)
    assert olga["win_rate"] == 0
    assert olga["close_rate"] == 1
    assert olga["average_deal_size"] is None
    assert olga["sales_cycle_days_median"] == olga["sales_cycle_days_mean"] == 20
    assert (olga["open_deals"], olga["pipeline_amount"], olga["weighted_pipeline"]) == (1, 0, 0)


def test_rep_without_deals_is_listed_with_zeros_and_no_values(book):
    ida = groups("rep")["Ida Idle"]
    assert (ida["deals_won"], ida["deals_lost"], ida["revenue"], ida["pipeline_amount"]) == (
        0, 0, 0, 0,
    )  # fmt: skip
    for rate in ("win_rate", "close_rate", "average_deal_size", "sales_cycle_days_median"):
        assert ida[rate] is None


def test_total_adds_up_the_groups_and_takes_its_own_median(book):
    total = kpi_panel(Scope.everything(), Q1, "rep", today=TODAY).total
    assert (total["deals_won"], total["deals_lost"], total["opportunities"]) == (2, 2, 4)
    assert total["revenue"] == 4000
    assert total["win_rate"] == Decimal("0.5")
    assert total["close_rate"] == 1
    assert total["sales_cycle_days_median"] == 20  # 10, 20, 20, 71
    assert total["sales_cycle_days_mean"] == Decimal("30.25")
    assert (total["open_deals"], total["weighted_pipeline"]) == (3, 1500)
    assert total["reps"] == 3
    assert total == kpi_panel(Scope.everything(), Q1, today=TODAY).total


def test_all_history_counts_every_closed_deal(book):
    total = kpi_panel(Scope.everything(), ALL_TIME, today=TODAY).total
    assert (total["deals_won"], total["revenue"], total["opportunities"]) == (3, 4700, 8)
    assert total["sales_cycle_days_median"] == 20  # 10, 20, 20, 71, 75


def test_managers_add_up_their_direct_reports(book):
    by_manager = groups("manager")
    assert list(by_manager) == ["Mia Manager", "Otto Other"]
    assert by_manager["Mia Manager"]["revenue"] == 4000
    assert by_manager["Mia Manager"]["reps"] == 2
    assert by_manager["Mia Manager"]["revenue_per_rep"] == 2000
    assert by_manager["Otto Other"]["deals_lost"] == 1


def test_deals_without_a_territory_or_product_form_a_none_group(book, recurring):
    by_territory = groups("territory")
    assert by_territory["West"]["revenue"] == 4000
    assert by_territory["(none)"]["deals_lost"] == 2
    by_product = groups("product")
    assert by_product["Cloud plan"]["revenue"] == 1000
    assert by_product["Appliance"]["revenue"] == 3000
    assert by_product["Cloud plan"]["reps"] is None  # a product has no headcount


def test_segments_use_the_account_tier_label(book):
    by_segment = groups("segment")
    assert by_segment["Small business"]["deals_won"] == 1
    assert by_segment["Small business"]["deals_lost"] == 1
    assert by_segment["(none)"]["deals_won"] == 1


def test_months_bucket_each_flow_by_its_own_date(book):
    by_month = groups("month")
    assert list(by_month) == ["2017-01", "2017-02", "2017-03"]
    assert [m["revenue"] for m in by_month.values()] == [1000, 3000, 0]
    assert [m["opportunities"] for m in by_month.values()] == [2, 1, 1]
    assert [m["pipeline_amount"] for m in by_month.values()] == [0, 0, 2000]  # expected close
    assert [m["win_rate"] for m in by_month.values()] == [Decimal("0.5"), Decimal("0.5"), None]
    # January closed after 10 and 20 days, February after 71 and 20, March nothing.
    medians = [m["sales_cycle_days_median"] for m in by_month.values()]
    assert medians == [15, Decimal("45.5"), None]


def test_groups_without_the_total_are_the_same_groups(book):
    for by in ("month", "rep"):
        whole = kpi_panel(Scope.everything(), Q1, by, today=TODAY)
        bare = kpi_panel(Scope.everything(), Q1, by, today=TODAY, total=False)
        assert bare.groups == whole.groups
        assert bare.total == {}


def test_quarters_are_labelled_by_calendar_quarter(book):
    year = Period(date(2016, 10, 1), date(2017, 4, 1))
    assert list(groups("quarter", year)) == ["2016-Q4", "2017-Q1"]
    assert groups("quarter", year)["2016-Q4"]["revenue"] == 700


def test_an_empty_scope_gives_zeros_and_no_values(stages):
    total = kpi_panel(Scope.everything(), Q1, today=TODAY).total
    assert (total["revenue"], total["deals_won"], total["pipeline_amount"]) == (0, 0, 0)
    assert total["win_rate"] is total["close_rate"] is total["average_deal_size"] is None
    assert total["sales_cycle_days_median"] is None


def test_series_reshape_month_groups_into_a_frame(book):
    frame = kpi_series(Scope.everything(), Q1, "month", today=TODAY)
    assert list(frame.index) == ["2017-01", "2017-02", "2017-03"]
    assert list(frame["revenue"]) == [1000, 3000, 0]
    assert frame.loc["2017-03", "win_rate"] is None
