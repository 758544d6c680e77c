"""Territory performance over the API: revenue, attainment, win rate and growth."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.periods import add_months, period_containing
from quotas.models import Quota
from tests.factories import AccountFactory, DealFactory
from tests.territories.conftest import TODAY

pytestmark = pytest.mark.django_db

YEAR = period_containing(TODAY, "year")


@pytest.fixture
def results(stages, rep, north, south):
    """North: 300 won and 100 lost this fiscal year, 200 won a year before, quota 600.
    South: 100 won this year only."""

    def closed(stage, amount, account, day):
        """Closed on the period's first day: counted by any "today" (growth compares the same
        days a year before)."""
        DealFactory(account=account, owner=rep, stage=stages[stage], amount=Decimal(amount),
                    created_on=day, closed_on=day)  # fmt: skip

    last_year = add_months(YEAR.start, -12)
    up, down = AccountFactory(territory=north), AccountFactory(territory=south)
    closed("Won", 300, up, YEAR.start)
    closed("Lost", 100, up, YEAR.start)
    closed("Won", 200, up, last_year)
    closed("Won", 100, down, YEAR.start)
    Quota.objects.create(territory=north, period="year", start=YEAR.start, metric="bookings",
                         amount=Decimal(600))  # fmt: skip


def test_performance_by_territory(client, executive, results):
    client.force_login(executive)
    response = client.get(reverse("api:territory-performance"), {"on": TODAY.isoformat()})
    rows = {row["territory"]: row for row in response.json()}
    assert rows["North"] == {
        "territory": "North",
        "revenue": "300.00",
        "quota": "600.00",
        "attainment": "0.5000",
        "win_rate": "0.5000",
        "previous_revenue": "200.00",
        "growth": "0.5000",
    }
    assert (rows["South"]["growth"], rows["South"]["attainment"]) == (None, None)


def test_a_rep_sees_only_their_own_deals_and_bad_input_is_a_400(client, rep, other_rep, results):
    client.force_login(rep)
    rows = client.get(reverse("api:territory-performance")).json()
    assert [(row["territory"], row["revenue"]) for row in rows] == [
        ("North", "300.00"), ("South", "100.00"),
    ]  # fmt: skip
    client.force_login(other_rep)
    assert client.get(reverse("api:territory-performance")).json() == []  # no deal, no territory
    response = client.get(reverse("api:territory-performance"), {"period": "week"})
    assert response.status_code == 400 and "period" in response.json()
    response = client.get(reverse("api:territory-performance"), {"on": "0001-01-01"})
    assert response.status_code == 400 and "on" in response.json()
