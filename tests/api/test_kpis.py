"""The KPI API: the `kpis` command's figures and JSON shape, in the caller's scope only."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.definitions import KPIS
from tests.api.test_resources import api
from tests.clock import TODAY
from tests.factories import DealFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/kpis/"


@pytest.fixture
def sales(stages, rep, other_rep):
    """Rep: won 900 and 100, lost one, one open at 250. Other rep: won 5,000."""

    def deal(owner, stage, amount, closed_on=None, created_on=date(2026, 1, 5)):
        return DealFactory(
            owner=owner,
            stage=stages[stage],
            amount=Decimal(amount),
            created_on=created_on,
            closed_on=closed_on,
        )

    return [
        deal(rep, "Won", "900", date(2026, 2, 1)),
        deal(rep, "Won", "100", date(2026, 3, 1)),
        deal(rep, "Lost", "400", date(2026, 3, 2)),
        deal(rep, "Proposal", "250"),
        deal(other_rep, "Won", "5000", date(2026, 2, 10)),
    ]


def test_the_api_answers_what_the_command_prints(sales, admin_user):
    params = {"from": "2026-01-01", "to": "2026-03-31", "by": "rep", "today": "2026-03-31"}
    out = StringIO()
    call_command(
        "kpis", "--from", "2026-01-01", "--to", "2026-03-31", "--by", "rep",
        "--today", "2026-03-31", "--format", "json", stdout=out,
    )  # fmt: skip
    response = api(admin_user).get(URL, params)
    assert response.status_code == 200
    assert response.json() == json.loads(out.getvalue())
    assert set(response.json()["total"]) == set(KPIS)


def test_figures_for_the_whole_company(sales, executive):
    body = api(executive).get(URL, {"from": "2026-01-01", "to": "2026-03-31"}).json()
    total = body["total"]
    assert total["revenue"] == 6000.0
    assert (total["deals_won"], total["deals_lost"]) == (3, 1)
    assert total["win_rate"] == 0.75
    assert total["average_deal_size"] == 2000.0
    assert body["groups"] == []


def test_a_rep_gets_their_own_figures_only(sales, rep):
    body = api(rep).get(URL, {"by": "rep", "kpi": "revenue,deals_won,win_rate"}).json()
    assert body["total"] == {"revenue": 1000.0, "deals_won": 2, "win_rate": 0.6667}
    assert body["groups"] == [
        {"key": "Rita Rep", "revenue": 1000.0, "deals_won": 2, "win_rate": 0.6667}
    ]


def test_a_manager_sees_their_tree_and_a_rep_without_deals_is_listed(sales, manager, rep):
    UserFactory(first_name="Nina", last_name="New", manager=manager, team=rep.team)
    body = api(manager).get(URL, {"by": "rep", "kpi": "revenue,win_rate"}).json()
    assert body["groups"] == [
        {"key": "Nina New", "revenue": 0.0, "win_rate": None},
        {"key": "Rita Rep", "revenue": 1000.0, "win_rate": 0.6667},
    ]
    assert body["total"]["revenue"] == 1000.0


def test_narrowing_to_a_rep_in_scope(sales, manager, rep):
    body = api(manager).get(URL, {"rep": rep.pk, "kpi": "pipeline_amount"}).json()
    assert body == {"total": {"pipeline_amount": 250.0}, "groups": []}


@pytest.mark.parametrize("name", ["rep", "manager"])
def test_a_forged_scope_id_is_a_404_without_data(sales, rep, other_rep, other_manager, name):
    target = {"rep": other_rep, "manager": other_manager}[name]
    response = api(rep).get(URL, {name: target.pk})
    assert response.status_code == 404
    assert "revenue" not in response.content.decode()


def test_another_team_narrows_a_reps_scope_to_nothing(sales, rep, other_rep):
    body = api(rep).get(URL, {"team": other_rep.team.pk, "kpi": "revenue,deals_won"}).json()
    assert body["total"] == {"revenue": 0.0, "deals_won": 0}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"kpi": "revenue,happiness"}, "kpi"),
        ({"by": "planet"}, "by"),
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"segment": "galactic"}, "segment"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(sales, admin_user, params, field):
    response = api(admin_user).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_an_empty_scope_gives_no_value_not_zero(stages, rep):
    total = api(rep).get(URL).json()["total"]
    assert total["revenue"] == 0.0
    assert total["win_rate"] is None
    assert total["average_deal_size"] is None


def test_csv_export_has_a_row_per_group_then_the_total(sales, manager):
    response = api(manager).get(URL + "export/", {"by": "rep", "kpi": "revenue,deals_won"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.getvalue().decode().splitlines() == [
        "key,revenue,deals_won",
        "Rita Rep,1000.00,2",
        "(total),1000.00,2",
    ]


def test_the_dictionary_lists_every_kpi(executive):
    rows = api(executive).get(URL + "definitions/").json()
    assert [row["key"] for row in rows] == list(KPIS)
    assert next(r for r in rows if r["key"] == "win_rate")["unit"] == "fraction"


def test_movement_shows_a_new_deal_and_a_win(stages, rep):
    DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal("300"))  # recorded now
    today = TODAY
    span = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat(), "by": "rep"}
    body = api(rep).get(URL + "movement/", span).json()
    assert body["total"]["start"] == 0.0
    assert body["total"]["new"] == 300.0
    assert body["total"]["end"] == 300.0
    assert body["groups"] == [{"key": "Rita Rep", **body["total"]}]


def test_anonymous_callers_are_refused(sales):
    assert api().get(URL).status_code in (401, 403)


def test_queries_do_not_grow_with_the_number_of_reps(
    stages, manager, django_assert_max_num_queries
):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api(manager).get(URL, {"by": "rep"}).status_code == 200
        return len(captured)

    team = manager.managed_teams.get()
    for _ in range(2):
        UserFactory(manager=manager, team=team)
    few = count_queries()
    for index in range(20):
        owner = UserFactory(manager=manager, team=team)
        DealFactory(
            owner=owner, stage=stages["Won"], amount=100 + index, closed_on=date(2026, 2, 1)
        )
    with django_assert_max_num_queries(few):
        assert api(manager).get(URL, {"by": "rep"}).status_code == 200
