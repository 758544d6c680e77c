"""One query per KPI family and grouping: the count does not grow with reps or deals."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.periods import Period
from metrics.scope import Scope
from metrics.service import kpi_panel
from tests.metrics.factories import (
    AccountFactory,
    ActivityFactory,
    DealFactory,
    QuotaFactory,
    SubscriptionFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Q1 = Period(date(2017, 1, 1), date(2017, 4, 1))


def add_reps(stages, count: int) -> None:
    for _ in range(count):
        rep = UserFactory()
        account = AccountFactory(owner=rep, segment="smb")
        for amount in ("100", "200"):
            DealFactory(stage=stages["Won"], owner=rep, account=account, amount=Decimal(amount),
                        created_on=date(2017, 1, 2), closed_on=date(2017, 2, 1))  # fmt: skip
        SubscriptionFactory(account=account)
        SurveyFactory(account=account)
        ActivityFactory(rep=rep, occurred_at="2017-01-03T10:00Z")
        QuotaFactory(rep=rep)


def queries(by: str | None, total: bool = True) -> int:
    with CaptureQueriesContext(connection) as captured:
        kpi_panel(Scope.everything(), Q1, by, today=date(2017, 3, 15), total=total)
    return len(captured)


@pytest.mark.parametrize("by", [None, "rep", "team", "territory", "product", "month"])
def test_the_panel_runs_the_same_queries_for_two_reps_or_ten(stages, by):
    add_reps(stages, 2)
    few = queries(by)
    add_reps(stages, 8)
    # Month groups: 13 family queries, the spend, and whether the rollups are filled.
    assert queries(by) == few <= 15


def test_months_without_their_total_skip_the_queries_of_the_total(stages):
    add_reps(stages, 2)
    # The whole period's deal sums, its sales cycles and the spend.
    assert queries("month", total=False) == queries("month") - 3
