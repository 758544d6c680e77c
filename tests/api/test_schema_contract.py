"""The schema says what the endpoints answer: requests schemathesis found answered otherwise."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from compensation.models import DealCredit, Statement
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def schema(admin_user) -> dict:
    response = api(admin_user).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def response_schema(schema: dict, path: str, method: str, status: str = "200") -> dict:
    content = schema["paths"][path][method]["responses"][status]["content"]
    return content["application/json"]["schema"]


def test_a_credit_split_answers_the_plain_list_its_schema_declares(schema, admin_user, rep, stages):
    deal = DealFactory(owner=rep, stage=stages["Won"], closed_on=date(2026, 3, 1))
    # schemathesis's request: unknown body key, empty split, list query parameters.
    query = "deal=1&ordering=&page=1&page_size=0&rep=0&search="
    response = api(admin_user).post(
        f"/api/v1/deal-credits/split/?{query}",
        {"4": None, "shares": [], "deal": deal.pk},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == []
    declared = response_schema(schema, "/api/v1/deal-credits/split/", "post")
    assert declared == {"type": "array", "items": {"$ref": "#/components/schemas/DealCredit"}}
    assert "parameters" not in schema["paths"]["/api/v1/deal-credits/split/"]["post"]


def test_quotas_in_bulk_answer_the_plain_list_their_schema_declares(schema, admin_user, rep):
    body = {
        "period": "quarter",
        "start": "2026-10-01",
        "metric": "bookings",
        "rows": [{"assignee_type": "rep", "assignee": rep.username, "amount": "1200.50"}],
    }
    response = api(admin_user).post("/api/v1/quotas/bulk/?page=2", body, format="json")

    assert response.status_code == 200
    assert [(row["rep"], row["amount"]) for row in response.json()] == [(rep.pk, "1200.50")]
    declared = response_schema(schema, "/api/v1/quotas/bulk/", "post")
    assert declared == {"type": "array", "items": {"$ref": "#/components/schemas/Quota"}}
    assert "parameters" not in schema["paths"]["/api/v1/quotas/bulk/"]["post"]


def test_no_write_answers_a_page(schema):
    paged = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method != "get" and "Paginated" in str(operation["responses"])
    ]
    assert paged == []


def test_credit_rows_and_statements_are_not_created_directly(schema, admin_user, rep, stages):
    """Splits go through the split (which checks they add up to 100 %), statements through a
    build; the read-only endpoints that have those actions take no other POST."""
    deal = DealFactory(owner=rep, stage=stages["Won"], closed_on=date(2026, 3, 1))
    credit = api(admin_user).post(
        "/api/v1/deal-credits/", {"deal": deal.pk, "rep": rep.pk, "percent": "999.99"}
    )
    statement = api(admin_user).post(
        "/api/v1/statements/",
        {"rep": rep.pk, "period": "month", "start": "2026-11-01", "end": "2026-11-30"},
    )

    assert (credit.status_code, statement.status_code) == (405, 405)
    assert not DealCredit.objects.exists() and not Statement.objects.exists()
    assert "post" not in schema["paths"]["/api/v1/deal-credits/"]
    assert "post" not in schema["paths"]["/api/v1/statements/"]
    assert "post" in schema["paths"]["/api/v1/deal-credits/split/"]
    assert "post" in schema["paths"]["/api/v1/statements/build/"]
