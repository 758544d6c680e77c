"""The forecast page over HTTP: who opens which scope, calls with their history and errors, and
drill-downs that add up to their cell."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from dashboards.forecast_page import _model_cells
from forecasting.models import ForecastCall, ForecastLine
from pipeline.models import Deal
from tests.forecasting.test_grid import deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(stages, rep, other_rep):
    deal(rep, stages["Won"], "1000", closed=date(2026, 12, 1))
    deal(rep, stages["Negotiation"], "500", expected=date(2026, 12, 20))
    deal(rep, stages["Negotiation"], "300", expected=date(2026, 12, 21))
    deal(other_rep, stages["Negotiation"], "250", expected=date(2026, 12, 15))


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_rep_may_not_open_the_forecast_page(client, rep):
    assert signed_in(client, rep).get("/forecast/").status_code == 403
    assert client.get("/forecast/deals/?column=commit").status_code == 403


def test_a_manager_sees_their_tree_and_nobody_else_s(client, book, manager, rep, other_manager):
    signed_in(client, manager)
    page = client.get("/forecast/?period=month")
    assert page.status_code == 200
    assert [row["name"] for row in page.context["rows"]] == ["Mia's team · Mia Manager", "Rita Rep"]
    assert client.get(f"/forecast/?scope=rep:{rep.pk}").status_code == 200
    assert client.get(f"/forecast/?scope=manager:{other_manager.pk}").status_code == 404
    assert client.get("/forecast/?scope=company").status_code == 404
    assert client.get(f"/forecast/deals/?scope=manager:{other_manager.pk}").status_code == 404
    assert client.get("/forecast/?scope=team:1").status_code == 400
    assert client.get("/forecast/?period=year").status_code == 400


def test_a_manager_s_call_is_kept_with_its_history_and_rolls_up(client, book, manager, executive):
    signed_in(client, manager)
    for commit, best, why in (("1700", "2000", "first look"), ("1800", "2000", "Acme signs")):
        sent = client.post(
            "/forecast/call/?period=month", {"commit": commit, "best_case": best, "comment": why}
        )
        assert sent.status_code == 302
    calls = ForecastCall.objects.order_by("made_at")
    assert [(c.amount, c.best_case, c.comment) for c in calls] == [
        (Decimal(1700), Decimal(2000), "first look"),
        (Decimal(1800), Decimal(2000), "Acme signs"),
    ]
    page = client.get("/forecast/?period=month")
    history = page.context["history"]
    assert [entry["changes"] for entry in history] == [
        "commit 1,700.00 → 1,800.00",
        "first call",
    ]
    signed_in(client, executive)
    company = client.get("/forecast/?period=month").context["grid"]
    assert company[0].rollup == 1800 + 250  # Mia's call and Otto's tree's closed + commit
    assert company[1].call.amount == 1800 and company[2].call is None


def test_a_bad_call_is_refused_with_a_message_and_saves_nothing(client, book, manager):
    signed_in(client, manager)
    below = client.post(
        "/forecast/call/?period=month", {"commit": "500", "best_case": "400", "comment": "x"}
    )
    assert below.status_code == 400
    assert "The best case (400.00) cannot be below the commit (500.00)." in below.content.decode()
    negative = client.post("/forecast/call/?period=month", {"commit": "-1", "comment": "x"})
    assert "The commit cannot be negative." in negative.content.decode()
    empty = client.post("/forecast/call/?period=month", {"commit": "5"})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    assert not ForecastCall.objects.exists()


def test_an_executive_reads_calls_but_makes_none(client, book, executive, manager):
    signed_in(client, executive)
    sent = client.post(
        f"/forecast/call/?scope=manager:{manager.pk}", {"commit": "1", "comment": "x"}
    )
    assert sent.status_code == 403
    assert not ForecastCall.objects.exists()


@pytest.mark.parametrize("column", ["closed", "commit", "best_case", "pipeline"])
def test_each_cell_drills_to_deals_that_add_up_to_it(client, book, executive, column):
    signed_in(client, executive)
    grid = client.get("/forecast/?period=month").context["grid"]
    for row in grid:
        listed = client.get(f"/forecast/deals/?period=month&scope={row.node.param}&column={column}")
        assert listed.status_code == 200
        assert Decimal(listed.context["total"].replace(",", "").split()[0]) == getattr(row, column)


def test_an_executive_walks_down_from_the_company_to_a_rep(client, book, executive, rep):
    signed_in(client, executive)
    page = client.get(f"/forecast/?period=month&scope=rep:{rep.pk}")
    assert [step["name"] for step in page.context["trail"]] == [
        "Company",
        "Mia's team · Mia Manager",
        "Rita Rep",
    ]
    assert client.get(f"/forecast/?scope=rep:{executive.pk}").status_code == 404


def test_the_commit_deals_link_to_their_own_pages(client, book, manager):
    signed_in(client, manager)
    page = client.get("/forecast/?period=month").content.decode()
    commit = Deal.objects.filter(owner__manager=manager, forecast_category="commit")
    assert commit.count() == 2
    for row in commit:
        assert f'href="/deals/{row.pk}/"' in page


def test_the_commit_deals_show_their_win_score_and_strongest_reason(client, book, manager):
    from django.conf import settings

    from scoring.models import DealScore, ScoreRun
    from tests.clock import pinned_moment

    now = pinned_moment(settings.TIME_ZONE)
    run = ScoreRun.objects.create(started_at=now, cutoff=now, status=ScoreRun.Status.DONE)
    scored, unscored = Deal.objects.filter(owner__manager=manager, forecast_category="commit")
    DealScore.objects.create(
        deal=scored, run=run, probability=Decimal("0.7300"), baseline=Decimal("0.7000"),
        reasons=[{"text": "no activity for 21 days", "effect": "-"}],
    )  # fmt: skip
    signed_in(client, manager)
    page = client.get("/forecast/?period=month").content.decode()
    table = page[page.index("data-commit-deals") :]
    row = table[table.index(f'href="/deals/{scored.pk}/"') :].split("</tr>")[0]
    assert "73 %" in row and "no activity for 21 days" in row
    other = table[table.index(f'href="/deals/{unscored.pk}/"') :].split("</tr>")[0]
    assert "data-win-score>—<" in other


def test_the_model_cell_gives_the_time_series_own_point_beside_its_interval():
    line = ForecastLine(
        weighted_pipeline=Decimal("705725.10"),
        blended=Decimal("538173.36"),
        blend_method="0.63 pipeline + 0.37 time series",
        method="ensemble",
        ts_point=Decimal("253000"),
        ts_low80=Decimal("113000"),
        ts_high80=Decimal("393000"),
    )

    weighted, model = _model_cells(SimpleNamespace(line=line))

    assert (weighted["text"], model["text"]) == ("705,725.10", "538,173.36")
    # The blend lies above the series' interval; the note says whose interval it is.
    assert model["note"] == "time series 253k USD, 80 %: 113k USD – 393k USD"
