"""Each role lands on its page; pages outside a role are refused; filters live in the URL."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.periods import add_months
from forecasting.methods import method_describe
from forecasting.models import ForecastLine
from forecasting.services import forecast_run
from pipeline.models import ImportRun
from tests.clock import TODAY
from tests.dashboards.conftest import MARCH

pytestmark = pytest.mark.django_db

PAGES = {
    "rep": "/dashboards/rep/",
    "manager": "/dashboards/team/",
    "executive": "/dashboards/company/",
    "admin": "/dashboards/data-health/",
}
ALLOWED = {
    "rep": {"rep"},
    "manager": {"rep", "manager"},
    "executive": {"rep", "manager", "executive"},
    "admin": {"rep", "manager", "executive", "admin"},
}


@pytest.mark.parametrize("role", list(PAGES))
def test_home_sends_each_role_to_its_dashboard(client, book, role):
    client.force_login(book[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == PAGES[role]
    assert client.get(response["Location"], MARCH).status_code == 200


@pytest.mark.parametrize("role", list(PAGES))
def test_a_page_outside_the_role_is_refused(client, book, role):
    client.force_login(book[role])
    for page, url in PAGES.items():
        status = client.get(url, MARCH).status_code
        assert status == (200 if page in ALLOWED[role] else 403), (role, page)


def test_anonymous_is_sent_to_sign_in(client, book):
    for url in [*PAGES.values(), "/dashboards/rows/deals/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_page_draws_its_charts_and_links_them(client, book):
    """plotly.js (4.8 MB) is sent only to a page with a chart; all of it from Pacer itself."""
    client.force_login(book["admin"])
    for url in PAGES.values():
        html = client.get(url, MARCH).content.decode()
        drawn = 'data-figure="' in html
        assert ("vendor/plotly.min.js" in html) == drawn, url
        assert "js/dashboards.js" in html
        assert "cdn" not in html.lower()
    assert 'data-figure="' not in client.get(PAGES["admin"], MARCH).content.decode()
    html = client.get(PAGES["executive"], MARCH).content.decode()
    figures = re.findall(r'data-figure="([\w-]+)"', html)
    assert len(figures) >= 10
    for figure in figures:
        assert f'id="{figure}" type="application/json"' in html
    assert "/dashboards/rows/deals/?" in html


def test_money_is_shown_with_currency_and_thousands_separators(client, book):
    client.force_login(book["executive"])
    html = client.get(PAGES["executive"], MARCH).content.decode()
    # 120.25 + 80 + 1000 + 50000 won in March.
    assert '51.2k <span class="unit">USD</span>' in html  # on the tile
    assert 'title="51,200.25 USD"' in html  # exact on hover


def test_filters_in_the_url_change_the_numbers(client, book):
    client.force_login(book["manager"])
    march = client.get(PAGES["manager"], MARCH).content.decode()
    rep_only = client.get(PAGES["manager"], {**MARCH, "rep": book["rep"].pk}).content.decode()
    april = client.get(PAGES["manager"], {"period": "month", "on": "2026-04-02"}).content.decode()
    assert "1,200.25" in march  # Rita's 200.25 and Dee's 1,000
    assert "200.25" in rep_only and "1,200.25" not in rep_only
    assert "1,200.25" not in april
    assert 'value="2026-03-10"' in march  # the filters show what the URL says


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"period": "week"}, 400),
        ({"on": "yesterday"}, 400),
        ({"segment": "galactic"}, 400),
        ({"team": "x"}, 400),
    ],
)
def test_malformed_filters_are_a_400(client, book, params, status):
    client.force_login(book["manager"])
    assert client.get(PAGES["manager"], params).status_code == status


def test_ids_outside_the_scope_are_a_404(client, book):
    client.force_login(book["manager"])
    assert client.get(PAGES["manager"], {"rep": book["other_rep"].pk}).status_code == 404
    client.force_login(book["rep"])
    assert client.get(PAGES["rep"], {"rep": book["deep"].pk}).status_code == 404
    owner = {"measure": "won", "owner": book["other_rep"].pk}
    assert client.get("/dashboards/rows/deals/", owner).status_code == 404


def test_a_rep_sees_no_other_reps_numbers(client, book):
    client.force_login(book["rep"])
    html = client.get(PAGES["rep"], MARCH).content.decode()
    assert "200.25" in html
    assert "50,000" not in html and "1,200.25" not in html
    assert "Olga" not in html and "Dee Deep" not in html


def test_empty_states_say_what_is_missing(client, db, rep):
    client.force_login(rep)
    html = client.get(PAGES["rep"], MARCH).content.decode()
    assert "No open deals." in html
    assert "No quota for this month or quarter" in html
    assert "no compensation plan assigned" in html


def test_the_executive_forecast_says_how_to_make_one(client, book):
    client.force_login(book["executive"])
    html = client.get(PAGES["executive"], MARCH).content.decode()
    assert "No forecast yet: run <code>python manage.py run_forecast</code>" in html


def test_data_health_counts_what_is_missing(client, book, stages):
    from tests.factories import DealFactory

    DealFactory(stage=stages["Won"], closed_on="2026-03-02", owner=None)
    client.force_login(book["admin"])
    html = client.get(PAGES["admin"]).content.decode()
    tile = re.search(r'data-tile="no_owner".*?data-drill>(\d+)', html, re.S)
    assert tile and tile.group(1) == "1"
    assert "None yet" in html  # no import, no snapshot, no forecast run yet


def test_the_executive_forecast_and_data_health_show_the_latest_run_and_import(client, book):
    today = TODAY  # deal history is written now: the pipeline exists from today
    run = forecast_run(as_of=today)
    assert run.status == "succeeded"
    ImportRun.objects.create(
        file_name="deals.csv", sha256="0" * 64, kind="deals", status="applied", rows=12,
        error_count=0, finished_at=datetime(2026, 3, 10, 9, 30, tzinfo=UTC),
    )  # fmt: skip
    client.force_login(book["executive"])
    html = client.get(PAGES["executive"], MARCH).content.decode()
    assert "No forecast yet" not in html
    line = ForecastLine.objects.get(
        run=run, scope_kind="company", period_kind="month", period_start=today.replace(day=1)
    )
    assert line.ts_point is not None
    label = method_describe(line.method).label.capitalize()
    assert f"{label}, made {run.finished_at:%Y-%m-%d %H:%M}" in html
    assert label.startswith("Time series: average of")
    client.force_login(book["admin"])
    html = client.get(PAGES["admin"]).content.decode()
    assert f"as of {today.isoformat()}, up to date" in html
    assert "deals.csv (deals): 12 rows, 0 errors" in html


def test_a_product_filter_has_no_forecast_rather_than_the_companys(client, book, product):
    forecast_run(as_of=TODAY)
    client.force_login(book["executive"])
    html = client.get(PAGES["executive"], {**MARCH, "product": product.pk}).content.decode()
    assert "No forecast yet" in html


def test_territory_performance_shows_win_rate_and_growth_on_a_year_before(
    client, book, stages, territory
):
    from tests.factories import DealFactory

    DealFactory(
        owner=book["rep"], territory=territory, stage=stages["Won"], amount=Decimal("80"),
        created_on=date(2025, 2, 1), closed_on=date(2025, 3, 5),
    )  # fmt: skip
    client.force_login(book["executive"])
    html = client.get(PAGES["executive"], MARCH).content.decode()
    table = html[html.index('id="panel-territory_performance"') :]
    row = re.search(r"<tr>\s*<td[^>]*>\s*Boston.*?</tr>", table, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td.*?</td>", row, re.S)]
    # March 2026: won 120.25 + 80, lost 55 (win rate 2/3); March 2025: won 80 (+150.3 %).
    assert cells[1:] == ["200.25 USD", "—", "66.7 %", "150.3 %"]
    # Its region adds it up, listed just before it (Boston is its only territory).
    rows = re.findall(r"<tr>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>", table, re.S)
    names = [re.sub(r"<[^>]+>", "", name).strip() for name, _ in rows]
    east = names.index("East")
    assert names[east + 1] == "Boston"
    assert re.sub(r"<[^>]+>", "", rows[east][1]).strip() == "200.25 USD"


def test_the_executive_page_sets_last_months_forecast_against_what_was_won(
    client, stages, executive, rep
):
    from tests.forecasting.test_run import deal, move

    month = add_months(TODAY.replace(day=1), -1)
    created, closes = month - timedelta(days=10), month + timedelta(days=19)
    open_deal = deal(stages["Negotiation"], rep, "800", created, closes)
    forecast_run(as_of=month)
    move(open_deal, stages["Won"], closes)
    client.force_login(executive)
    html = client.get(PAGES["executive"]).content.decode()
    table = html[html.index('id="panel-forecast_track"') :]
    row = re.search(rf"<tr>\s*<td[^>]*>\s*{month:%Y-%m}.*?</tr>", table, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td.*?</td>", row, re.S)]
    # Negotiation's default 70 % of 800 in the pipeline, no call; 800 won: 240 off, 30 %.
    assert cells[1] == month.isoformat()
    assert (cells[3], cells[5], cells[6]) == ("560.00 USD", "—", "800.00 USD")
    assert "Error over these months, MAPE / WAPE:" in table
    assert "weighted pipeline 30.0 % / 30.0 %" in table
    assert "manager&#x27;s call" not in table and "manager's call" not in table
