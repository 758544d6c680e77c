"""A deal's own win probability and lead source through the deal API."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pipeline.models import Deal, DealChange
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def base(stages) -> dict:
    return {"name": "New", "stage": stages["Proposal"].pk, "created_on": "2026-11-01"}


def test_a_deal_is_created_with_its_probability_and_source(rep, base):
    body = {**base, "owner": rep.pk, "amount": "1000", "probability": 35, "lead_source": "Webinar"}
    response = api(rep).post("/api/v1/deals/", body, format="json")

    assert response.status_code == 201, response.json()
    assert (response.json()["probability"], response.json()["lead_source"]) == (35, "Webinar")
    deal = Deal.objects.get(pk=response.json()["id"])
    assert (deal.probability, deal.lead_source, deal.owner) == (35, "Webinar", rep)
    assert DealChange.objects.get(deal=deal).probability == 35


@pytest.mark.parametrize("probability", [101, -1, "high", 50.5])
def test_a_probability_outside_0_to_100_is_a_400_and_creates_nothing(rep, base, probability):
    response = api(rep).post("/api/v1/deals/", {**base, "probability": probability}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["probability"]
    if isinstance(probability, int):
        assert response.json()["probability"] == ["A win probability is a percent from 0 to 100."]
    assert not Deal.objects.exists()


def test_changing_a_probability_is_recorded_and_null_returns_to_the_stage(rep, stages):
    deal = DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal("500"))
    client = api(rep)

    set_ = client.patch(f"/api/v1/deals/{deal.pk}/", {"probability": 80}, format="json")
    cleared = client.patch(f"/api/v1/deals/{deal.pk}/", {"probability": None}, format="json")
    too_high = client.patch(f"/api/v1/deals/{deal.pk}/", {"probability": 120}, format="json")

    assert (set_.status_code, cleared.status_code, too_high.status_code) == (200, 200, 400)
    assert cleared.json()["probability"] is None
    rows = DealChange.objects.filter(deal=deal).order_by("id")
    assert [(row.changed_fields, row.probability) for row in rows] == [
        ("created", None),
        ("probability", 80),
        ("probability", None),
    ]
    history = client.get(f"/api/v1/deals/{deal.pk}/").json()["history"]
    assert [row["probability"] for row in history] == [None, 80, None]


def test_deals_filter_by_lead_source(rep, other_rep, stages):
    for name, source, owner in [
        ("A", "Webinar", rep),
        ("B", "Referral", rep),
        ("C", "Webinar", rep),
        ("D", "Webinar", other_rep),
    ]:
        DealFactory(
            name=name, lead_source=source, owner=owner, stage=stages["Won"],
            created_on=date(2026, 1, 5), closed_on=date(2026, 3, 1),
        )  # fmt: skip
    client = api(rep)

    webinar = client.get("/api/v1/deals/", {"lead_source": "Webinar", "ordering": "name"})
    none = client.get("/api/v1/deals/", {"lead_source": "Trade show"})

    assert [row["name"] for row in webinar.json()["results"]] == ["A", "C"]
    assert none.json()["count"] == 0


def test_the_schema_says_the_probability_range_and_the_source_filter(admin_user):
    schema = api(admin_user).get("/api/schema/", {"format": "json"}).json()

    deal = schema["components"]["schemas"]["Deal"]["properties"]
    assert (deal["probability"]["minimum"], deal["probability"]["maximum"]) == (0, 100)
    assert deal["probability"]["nullable"] is True
    assert deal["lead_source"]["type"] == "string"
    parameters = schema["paths"]["/api/v1/deals/"]["get"]["parameters"]
    assert "lead_source" in [parameter["name"] for parameter in parameters]
