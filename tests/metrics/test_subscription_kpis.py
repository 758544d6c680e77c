"""MRR, its movements, churn, retention and CLV on five hand-computed accounts (Q1 2017).

MRR on Dec 31, Jan 31, Feb 28 and Mar 31 (A, B, C, D, E):
  Dec 31: 100 + 200 +   0 +  0 + 400 = 700  (3 customers)
  Jan 31: 100 +   0 +   0 +  0 + 400 = 500  (B churned: -200)
  Feb 28: 150 +   0 +   0 + 90 + 400 = 640  (A expanded +50, D reactivated +90)
  Mar 31: 150 +   0 + 300 + 90 + 250 = 790  (C new +300, E contracted -150; 4 customers)
"""

from datetime import date
from decimal import Decimal

import pytest

from core.periods import Period, day_period
from metrics.scope import Scope
from metrics.service import kpi_panel
from tests.metrics.factories import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

Q1 = Period(date(2017, 1, 1), date(2017, 4, 1))
AFTER_Q1 = date(2017, 4, 15)


def sub(account, mrr: str, start: date, end: date | None = None) -> None:
    SubscriptionFactory(account=account, mrr=Decimal(mrr), start=start, end=end)


@pytest.fixture
def book(rep, other_rep):
    a, b = AccountFactory(name="A", owner=rep), AccountFactory(name="B", owner=rep)
    c, d, e = (AccountFactory(name=name, owner=other_rep) for name in "CDE")
    sub(a, "100", date(2016, 6, 1))
    sub(a, "50", date(2017, 2, 10))
    sub(b, "200", date(2016, 1, 1), date(2017, 1, 20))
    sub(c, "300", date(2017, 3, 5))
    sub(d, "80", date(2016, 1, 1), date(2016, 6, 1))
    sub(d, "90", date(2017, 2, 1))
    sub(e, "400", date(2016, 1, 1), date(2017, 3, 10))
    sub(e, "250", date(2017, 3, 10))


def test_mrr_arr_and_customers_at_the_end_of_the_period(book):
    total = kpi_panel(Scope.everything(), Q1, today=AFTER_Q1).total
    assert (total["mrr"], total["arr"], total["customers"]) == (790, 9480, 4)
    assert total["arpa"] == Decimal("197.5")


def test_a_subscription_counts_from_its_start_until_the_day_before_its_end(book):
    def mrr(day: date) -> Decimal:
        return kpi_panel(Scope.everything(), day_period(day), today=AFTER_Q1).total["mrr"]

    assert mrr(date(2017, 1, 19)) == 100 + 200 + 400
    assert mrr(date(2017, 1, 20)) == 100 + 400


def test_movements_add_up_to_the_change_in_mrr(book):
    total = kpi_panel(Scope.everything(), Q1, today=AFTER_Q1).total
    moves = ("mrr_new", "mrr_reactivated", "mrr_expansion", "mrr_contraction", "mrr_churned")
    assert [total[m] for m in moves] == [300, 90, 50, 150, 200]
    assert total["net_new_mrr"] == 790 - 700


def test_churn_and_retention_compare_opening_customers_with_the_closing(book):
    total = kpi_panel(Scope.everything(), Q1, today=AFTER_Q1).total
    assert total["customer_churn_rate"] == Decimal(1) / 3  # B of A, B, E
    assert total["net_revenue_retention"] == Decimal(400) / 700  # A 150 + E 250
    assert total["revenue_churn_rate"] == Decimal("0.5")  # (B 200 + E 150) / 700
    assert total["monthly_churn_rate"] == Decimal("0.125")  # 1 lost / (3 + 2 + 3)


def test_clv_is_arpa_times_margin_over_monthly_churn(book, settings):
    assert kpi_panel(Scope.everything(), Q1, today=AFTER_Q1).total["clv"] == Decimal("1106")
    settings.PACER_GROSS_MARGIN = "0.5"
    assert kpi_panel(Scope.everything(), Q1, today=AFTER_Q1).total["clv"] == Decimal("790")


def test_monthly_series(book):
    panel = kpi_panel(Scope.everything(), Q1, "month", today=AFTER_Q1)
    months = {group.key: group.values for group in panel.groups}
    assert [m["mrr"] for m in months.values()] == [500, 640, 790]
    assert months["2017-01"]["mrr_churned"] == 200
    assert (months["2017-02"]["mrr_expansion"], months["2017-02"]["mrr_reactivated"]) == (50, 90)
    assert (months["2017-03"]["mrr_new"], months["2017-03"]["mrr_contraction"]) == (300, 150)
    assert months["2017-01"]["customer_churn_rate"] == Decimal(1) / 3
    assert months["2017-02"]["customer_churn_rate"] == 0


def test_mrr_per_account_owner(book):
    panel = kpi_panel(Scope.everything(), Q1, "rep", today=AFTER_Q1)
    reps = {group.key: group.values for group in panel.groups}
    assert (reps["Rita Rep"]["mrr"], reps["Olga Rep"]["mrr"]) == (150, 640)
    assert reps["Rita Rep"]["customer_churn_rate"] == Decimal("0.5")


def test_without_churn_there_is_no_clv(rep):
    sub(AccountFactory(owner=rep), "100", date(2016, 1, 1))
    total = kpi_panel(Scope.everything(), Q1, today=AFTER_Q1).total
    assert (total["mrr"], total["monthly_churn_rate"], total["clv"]) == (100, 0, None)


def test_without_customers_at_the_start_rates_have_no_value(rep):
    sub(AccountFactory(owner=rep), "100", date(2017, 2, 1))
    total = kpi_panel(Scope.everything(), Q1, today=AFTER_Q1).total
    assert total["mrr_new"] == 100
    assert total["customer_churn_rate"] is total["net_revenue_retention"] is None


def test_mrr_is_known_up_to_today_only(book):
    panel = kpi_panel(Scope.everything(), Q1, "month", today=date(2017, 2, 15))
    months = {group.key: group.values for group in panel.groups}
    assert months["2017-02"]["mrr"] == 640  # as of Feb 15
    assert months["2017-03"]["mrr"] is None


def test_a_period_opening_decades_before_the_data_equals_one_opening_with_it(book):
    def subscription_kpis(period: Period) -> dict:
        total = kpi_panel(Scope.everything(), period, today=AFTER_Q1).total
        keys = ("mrr", "customers", "mrr_new", "mrr_churned", "monthly_churn_rate", "clv")
        return {key: total[key] for key in keys}

    early = subscription_kpis(Period(date(1953, 1, 1), date(2017, 4, 1)))
    assert early == subscription_kpis(Period(date(2015, 12, 1), date(2017, 4, 1)))
    # New: each account's first MRR (A 100, B 200, D 80, E 400, C 300); D's 90 came back.
    assert (early["mrr"], early["mrr_new"]) == (790, 100 + 200 + 80 + 400 + 300)
    before = subscription_kpis(Period(date(1953, 1, 1), date(1960, 1, 1)))
    assert (before["mrr"], before["customers"], before["monthly_churn_rate"]) == (0, 0, None)
