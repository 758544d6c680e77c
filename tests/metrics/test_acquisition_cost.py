"""Customer acquisition cost: company spend of the period's months / new customers won."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

import access
from core.periods import Period
from metrics.models import SalesSpend
from metrics.queries.deals import new_customers
from metrics.scope import Scope
from metrics.service import kpi_panel
from pipeline.models import Deal
from tests.metrics.factories import AccountFactory, DealFactory

pytestmark = pytest.mark.django_db
Q1 = Period(date(2017, 1, 1), date(2017, 4, 1))


@pytest.fixture
def wins(stages, rep, other_rep):
    """Q1: Acme won twice as new business, Beta once; an expansion of Acme; Gamma in April."""
    acme, beta, gamma = (AccountFactory(name=name) for name in ("Acme", "Beta", "Gamma"))

    def won(owner, account, closed_on, deal_type="new_business"):
        DealFactory(
            owner=owner, account=account, stage=stages["Won"], type=deal_type,
            closed_on=closed_on,
        )  # fmt: skip

    won(rep, acme, date(2017, 1, 10))
    won(rep, acme, date(2017, 2, 10))
    won(other_rep, beta, date(2017, 3, 10))
    won(rep, acme, date(2017, 3, 20), "expansion")
    won(rep, gamma, date(2017, 4, 2))
    for month, amount in ((1, "1000"), (2, "500"), (4, "9999")):
        SalesSpend.objects.create(month=date(2017, month, 1), amount=Decimal(amount))


def test_spend_of_the_periods_months_over_new_customers(wins):
    # New customers: Acme and Beta (the expansion is not new, Gamma came in April).
    assert new_customers(Deal.objects.all(), Q1) == 2
    total = kpi_panel(Scope.everything(), Q1, today=date(2017, 4, 15)).total
    assert total["customer_acquisition_cost"] == Decimal(1500) / 2


def test_groups_carry_no_cost_the_total_does(wins, rep):
    panel = kpi_panel(Scope.everything(), Q1, "rep", today=date(2017, 4, 15))
    assert [g.values["customer_acquisition_cost"] for g in panel.groups] == [None, None]
    assert panel.total["customer_acquisition_cost"] == 750


def test_a_narrowed_scope_has_no_cost_as_spend_is_company_wide(wins, rep, manager, executive):
    narrowed = Scope.everything().narrow(rep=rep)
    assert kpi_panel(narrowed, Q1).total["customer_acquisition_cost"] is None
    assert kpi_panel(access.visible_scope(manager), Q1).total["customer_acquisition_cost"] is None
    assert kpi_panel(access.visible_scope(executive), Q1).total["customer_acquisition_cost"] == 750


def test_no_spend_or_no_new_customer_gives_no_value(wins):
    march = Period(date(2017, 3, 1), date(2017, 4, 1))  # Beta won, no spend entered
    assert kpi_panel(Scope.everything(), march).total["customer_acquisition_cost"] is None
    april = Period(date(2017, 5, 1), date(2017, 6, 1))  # nothing won
    assert kpi_panel(Scope.everything(), april).total["customer_acquisition_cost"] is None


def test_spend_is_entered_per_month_and_never_negative(db):
    with pytest.raises(ValidationError) as error:
        SalesSpend(month=date(2017, 1, 15), amount=Decimal("-1")).full_clean()
    assert error.value.message_dict == {
        "month": ["Spend is entered per month: use its first day."],
        "__all__": ["Spend cannot be negative."],
    }
