"""Segmentation: size and value tiers, ABC by revenue share, the ideal-customer score."""

from datetime import date
from decimal import Decimal

import pytest

from core.periods import ALL_TIME
from metrics.scope import Scope
from metrics.service import kpi_panel
from pipeline.models import Account, Subscription
from planning.models import IcpCriterion
from planning.selectors.segments import mrr_by_account, segment_accounts, segment_rows
from planning.services.segments import segment_apply
from tests.factories import AccountFactory, DealFactory
from tests.territories.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(stages):
    """Won revenue 600k, 250k, 100k, 50k and nothing; sizes from strategic to unknown."""
    made = {
        "A1": AccountFactory(name="A1", employees=20_000, industry="Software"),
        "A2": AccountFactory(name="A2", employees=50, annual_revenue=Decimal("2e9")),
        "A3": AccountFactory(name="A3", employees=150, industry="software"),
        "A4": AccountFactory(name="A4", employees=5, industry="Software"),
        "A5": AccountFactory(name="A5"),
    }
    won = {"stage": stages["Won"], "created_on": date(2025, 1, 1), "closed_on": date(2025, 2, 1)}
    for name, amount in (("A1", 600_000), ("A2", 250_000), ("A3", 100_000), ("A4", 50_000)):
        DealFactory(account=made[name], amount=Decimal(amount), **won)
    DealFactory(account=made["A5"], amount=Decimal(999), stage=stages["Proposal"])
    Subscription.objects.create(account=made["A4"], mrr=100, start=date(2025, 1, 1))
    return made


def table(clv_per_mrr=Decimal(20)) -> dict:
    accounts = Account.objects.all()
    mrr = mrr_by_account(accounts, TODAY)
    rows = segment_rows(segment_accounts(accounts), mrr=mrr, clv_per_mrr=clv_per_mrr)
    return {row.account.name: row for row in rows}


def test_size_tiers_take_the_higher_of_employees_and_revenue(accounts):
    sizes = {name: row.account.size for name, row in table().items()}
    assert sizes == {
        "A1": "strategic", "A2": "enterprise", "A3": "mid_market", "A4": "smb", "A5": "",
    }  # fmt: skip


def test_abc_cuts_at_80_and_95_percent_of_won_revenue(accounts):
    # Shares before each account: 0 %, 60 %, 85 %, 95 % of 1,000,000.
    assert {name: row.abc for name, row in table().items()} == {
        "A1": "A", "A2": "A", "A3": "B", "A4": "C", "A5": "C",
    }  # fmt: skip


def test_value_is_won_revenue_plus_clv(accounts):
    rows = table()
    assert rows["A4"].clv == 2000  # MRR 100 x 20
    assert rows["A4"].value == 52_000
    assert {name: row.value_tier for name, row in rows.items()} == {
        "A1": "high", "A2": "high", "A3": "high", "A4": "medium", "A5": "none",
    }  # fmt: skip
    assert table(clv_per_mrr=None)["A4"].clv is None  # no churn: no CLV


def test_the_ideal_customer_score_is_the_share_of_weights_met(accounts):
    IcpCriterion.objects.create(attribute="industry", values="Software", weight=3)
    IcpCriterion.objects.create(attribute="employees", minimum=100, weight=1)
    IcpCriterion.objects.create(attribute="won_revenue", minimum=200_000, weight=4)
    scores = {name: row.score for name, row in table().items()}
    assert scores == {"A1": 100, "A2": 50, "A3": 50, "A4": Decimal("37.5"), "A5": 0}


def test_without_criteria_there_is_no_score(accounts):
    assert table()["A1"].score is None


def test_writing_tiers_makes_them_a_filter_on_every_kpi(accounts):
    assert segment_apply(accounts=Account.objects.all()) == 4  # A5 has no size: stays ''
    assert segment_apply(accounts=Account.objects.all()) == 0
    strategic = Scope.everything().narrow(segment="strategic")
    assert kpi_panel(strategic, ALL_TIME, today=TODAY).total["revenue"] == 600_000
