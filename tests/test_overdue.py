"""Overdue open deals count in the current period on every view, and say so.

Today is 15 November 2026, in the middle of Q4. Rita's open commit deals (Negotiation, 70 %):
500 due 25 September and 1,000 due 20 October (both overdue), 2,000 due 20 November, 4,000
due 10 December, 8,000 due 12 January, and 300 without a date; 1,000 won on 5 October; a Q4
quota of 10,000. So Q4's commit is 500 + 1,000 + 2,000 + 4,000 = 7,500, of which 1,500
overdue; November's is 3,500 and December's 4,000: the quarter is the sum of its months from
today on, and no month exceeds it.
"""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict
from rest_framework.test import APIClient

from core.periods import Period
from dashboards.executive import executive_dashboard
from dashboards.filters import filters_from_query
from dashboards.manager import manager_dashboard
from dashboards.rep import rep_dashboard
from forecasting.models import ForecastLine
from forecasting.services import forecast_run
from metrics.scope import Scope
from metrics.service import kpi_panel
from pipeline.models import Deal
from quotas.models import Quota

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 15)
Q4 = Period(date(2026, 10, 1), date(2027, 1, 1))
NOVEMBER, DECEMBER, JANUARY = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)
OPEN = [
    ("500", date(2026, 9, 25)),
    ("1000", date(2026, 10, 20)),
    ("2000", date(2026, 11, 20)),
    ("4000", date(2026, 12, 10)),
    ("8000", date(2027, 1, 12)),
    ("300", None),
]


@pytest.fixture
def mid_november(settings):
    """The clock at noon on TODAY, for the views and the API that read it."""
    moment = datetime(2026, 11, 15, 12, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def book(stages, rep, mid_november):
    created = datetime(2026, 9, 1, 9, tzinfo=UTC)
    for amount, expected in OPEN:
        deal = Deal(
            name=f"Due {expected}", stage=stages["Negotiation"], owner=rep,
            amount=Decimal(amount), created_on=created.date(), expected_close_on=expected,
        )  # fmt: skip
        deal.save(changed_at=created)
    won = Deal(name="Won", stage=stages["Won"], owner=rep, amount=Decimal("1000"),
               created_on=created.date(), expected_close_on=date(2026, 10, 1),
               closed_on=date(2026, 10, 5))  # fmt: skip
    won.save(changed_at=datetime(2026, 10, 5, 9, tzinfo=UTC))
    Quota.objects.create(
        rep=rep, period="quarter", start=Q4.start, metric="bookings", amount=Decimal("10000")
    )


def filters_for(user, period: str):
    query = QueryDict(mutable=True)
    query.update({"period": period, "on": TODAY.isoformat()})
    return filters_from_query(user, query, today=TODAY, period=period)


def commit_row(user, period: str):
    board = executive_dashboard(user, filters_for(user, period), TODAY)
    chart = next(block for block in board.blocks if block.key == "categories")
    return chart, next(row for row in chart.rows if row.label == "Commit")


def csv_rows(client, url: str) -> list[dict]:
    response = client.get(url + "&format=csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def forecast_commit(period_kind: str, start: date) -> Decimal:
    line = ForecastLine.objects.get(
        scope_kind="company", period_kind=period_kind, period_start=start
    )
    return line.commit


def test_the_dashboards_quarter_equals_the_forecasts_months(book, executive):
    chart, quarter = commit_row(executive, "quarter")
    assert quarter.text == "7,500.00 USD, of which 1,500.00 USD overdue"
    assert chart.note.endswith(", of which 1,500.00 USD overdue.")
    _, november = commit_row(executive, "month")
    assert november.text == "3,500.00 USD, of which 1,500.00 USD overdue"

    run = forecast_run(as_of=TODAY)
    months = [forecast_commit("month", start) for start in (NOVEMBER, DECEMBER, JANUARY)]
    assert months == [Decimal(3500), Decimal(4000), Decimal(8000)]
    assert forecast_commit("quarter", Q4.start) == Decimal(7500) == months[0] + months[1]
    assert all(month <= Decimal(7500) for month in months[:2])
    # Overdue deals carry the overdue rate learned from history: none of them was won, so 0.
    company = ForecastLine.objects.filter(run=run, scope_kind="company", period_kind="month")
    assert company.get(period_start=NOVEMBER).weighted_pipeline == Decimal("1400.00")
    quarter_line = ForecastLine.objects.get(
        run=run, scope_kind="company", period_kind="quarter", period_start=Q4.start
    )
    assert (quarter_line.closed, quarter_line.weighted_pipeline) == (1000, Decimal("5200.00"))


def test_coverage_counts_overdue_deals_in_the_current_quarter(book):
    panel = kpi_panel(Scope.everything(), Q4, "month", today=TODAY)
    # 7,500 x 70 % over the 9,000 still open of the quota.
    assert panel.total["pipeline_coverage"] == Decimal(5250) / Decimal(9000)
    months = {group.key: group.values["pipeline_amount"] for group in panel.groups}
    assert months == {"2026-10": 0, "2026-11": Decimal(3500), "2026-12": Decimal(4000)}


def test_the_commit_drill_lists_the_figures_deals_and_marks_overdue_ones(client, book, executive):
    client.force_login(executive)
    _, quarter = commit_row(executive, "quarter")
    rows = csv_rows(client, quarter.url)
    assert sorted(Decimal(row["Amount"]) for row in rows) == [500, 1000, 2000, 4000]
    marked = {row["Amount"]: row["Overdue"] for row in rows}
    assert marked == {"500.00": "overdue", "1000.00": "overdue", "2000.00": "", "4000.00": ""}
    html = client.get(quarter.url).content.decode()
    assert html.count('<td class="bad">overdue</td>') == 2


def test_the_close_month_chart_counts_overdue_deals_this_month(client, book, rep):
    client.force_login(rep)
    board = rep_dashboard(rep, filters_for(rep, "month"), TODAY)
    chart = next(block for block in board.blocks if block.key == "close_months")
    found = {row.label: row.text for row in chart.rows}
    assert found == {
        "2026-11": "3,500.00 USD in 3 deals, of which 1,500.00 USD overdue",
        "2026-12": "4,000.00 USD in 1 deals",
        "2027-01": "8,000.00 USD in 1 deals",
        "No date": "300.00 USD in 1 deals",
    }
    november = next(row for row in chart.rows if row.label == "2026-11")
    assert sum(Decimal(row["Amount"]) for row in csv_rows(client, november.url)) == 3500


def test_the_stuck_table_marks_overdue_deals(book, manager):
    board = manager_dashboard(manager, filters_for(manager, "quarter"), TODAY, 30)
    stuck = next(block for block in board.blocks if block.key == "stuck")
    expected = sorted(row[3].text for row in stuck.rows)
    assert expected == [
        "",
        "2026-09-25 · overdue",
        "2026-10-20 · overdue",
        "2026-11-20",
        "2026-12-10",
        "2027-01-12",
    ]


def test_the_deal_api_says_which_deals_are_overdue(book, rep):
    api = APIClient()
    api.force_authenticate(rep)
    deals = api.get("/api/v1/deals/", {"page_size": 50}).json()["results"]
    flags = {deal["amount"]: deal["overdue"] for deal in deals if deal["status"] == "open"}
    assert flags == {
        "500.00": True, "1000.00": True, "2000.00": False, "4000.00": False, "8000.00": False,
        "300.00": False,
    }  # fmt: skip
    won = next(deal for deal in deals if deal["status"] == "won")
    assert won["overdue"] is False  # closed, though its expected date has passed
    response = api.patch(f"/api/v1/deals/{won['id']}/", {"overdue": True}, format="json")
    assert response.status_code == 200 and response.json()["overdue"] is False  # read-only
