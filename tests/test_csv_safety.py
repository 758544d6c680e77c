"""Every CSV download writes text that a spreadsheet would run as a formula with a leading `'`,
and keeps numbers, negative ones included, as numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from compensation.models import Statement
from compensation.services import statements_close
from core.csvout import csv_cell, csv_text
from quotas.models import Quota
from tests.compensation.conftest import JAN, NOW, assign, make_plan, won_deal
from tests.factories import AccountFactory, DealFactory, TeamFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd",
    "\t=1+1",
    "\r=1+1",
]


def cells(response) -> set[str]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode()
    return {cell for row in csv.reader(io.StringIO(text)) for cell in row}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "value, written",
    [
        ("=1+1", "'=1+1"),
        ("-", "'-"),
        ("-200.00", "-200.00"),
        ("+5", "+5"),
        ("-1e5", "'-1e5"),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        (None, ""),
        ("Acme = best", "Acme = best"),
        (date(2026, 1, 2), "2026-01-02"),
    ],
)
def test_a_cell_is_made_safe_only_when_it_would_run(value, written):
    assert csv_cell(value) == written


def test_the_header_is_made_safe_too():
    assert csv_text(["=x", "y"], [[1, "-"]]) == "'=x,y\r\n1,'-\r\n"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_api_exports_quote_formulas(payload, admin_user, rep, stages):
    territory = TerritoryFactory(name=payload)
    account = AccountFactory(name=payload, owner=rep, territory=territory)
    DealFactory(name=payload, owner=rep, account=account, territory=territory,
                stage=stages["Won"], closed_on=date(2026, 11, 3), amount=Decimal(900))  # fmt: skip
    client = api(admin_user)

    for path in ("deals", "accounts", "territories"):
        written = cells(client.get(f"/api/v1/{path}/export/"))
        assert "'" + payload in written, path
        assert payload not in written, path

    kpis = cells(client.get("/api/v1/kpis/export/", {"by": "territory", "kpi": "revenue"}))
    assert {"'" + payload, "900.00"} <= kpis and payload not in kpis


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_drill_down_statement_and_quota_plan_quote_formulas(
    payload, client, admin_user, rep, stages
):
    assign(rep, make_plan())
    won_deal(stages, rep, "1000", date(2026, 1, 5), name=payload)
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    statement = Statement.objects.get(rep=rep)
    team = TeamFactory(name=payload)
    Quota.objects.create(period="quarter", start=JAN, metric="bookings", amount=5000, team=team)
    client.force_login(admin_user)

    drill = cells(
        client.get("/dashboards/rows/deals/?period=year&on=2026-03-10&measure=won&format=csv")
    )
    pay = cells(client.get(f"/compensation/statements/{statement.pk}/csv/"))
    grid = cells(client.get("/quotas/plan/", {"period": "quarter", "start": "2026-01-01",
                                               "metric": "bookings", "format": "csv"}))  # fmt: skip

    for written in (drill, pay, grid):
        assert "'" + payload in written and payload not in written
    assert "100.00" in pay  # the commission stays a number
    assert "5000.00" in grid  # and so does a quota
