import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def export(user, path: str, **params) -> list[dict]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/{path}/export/", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{path[:-1]}')
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def deals(stages, rep, other_rep):
    won = {"stage": stages["Won"], "closed_on": date(2026, 3, 1)}
    return [
        DealFactory(name="R1", owner=rep, amount=Decimal("100.50"), **won),
        DealFactory(name="R2", owner=rep, amount=Decimal("200"), stage=stages["Proposal"]),
        DealFactory(name="O1", owner=other_rep, amount=Decimal("999"), **won),
    ]


def test_export_holds_exactly_the_rows_the_user_may_see(deals, rep):
    rows = export(rep, "deals")
    assert sorted(r["name"] for r in rows) == ["R1", "R2"]
    assert {r["amount"] for r in rows} == {"100.50", "200.00"}
    assert "history" not in rows[0]


def test_export_applies_the_filters(deals, rep):
    assert [r["name"] for r in export(rep, "deals", status="won")] == ["R1"]


def test_export_refuses_unknown_filters(deals, rep):
    client = APIClient()
    client.force_authenticate(rep)
    assert client.get("/api/v1/deals/export/", {"colour": "red"}).status_code == 400


def test_executive_exports_everything(deals, executive):
    assert len(export(executive, "deals")) == 3
