"""Every figure drills down to rows that add up to it, for a rep and for a manager; the rows
sort, paginate and export to CSV, through the access layer."""

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import QueryDict

from dashboards.executive import executive_dashboard
from dashboards.filters import filters_from_query
from dashboards.manager import manager_dashboard
from dashboards.rep import rep_dashboard
from pipeline.models import Activity
from tests.dashboards.conftest import MARCH, ON

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 12)


def filters_for(user, **params):
    query = QueryDict(mutable=True)
    query.update({**MARCH, **params})
    return filters_from_query(user, query, today=TODAY, period="month")


def csv_rows(client, url: str) -> list[dict]:
    response = client.get(url + "&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def rows_sum(client, url: str, column: str = "Amount") -> tuple[int, Decimal]:
    rows = csv_rows(client, url)
    return len(rows), sum((Decimal(row[column] or 0) for row in rows), Decimal(0))


def tiles(board) -> dict:
    return {tile.key: tile for tile in board.tiles}


def test_a_reps_tiles_add_up_to_the_rows_behind_them(client, book):
    rep = book["rep"]
    client.force_login(rep)
    board = tiles(rep_dashboard(rep, filters_for(rep), TODAY))
    for key, expected in [("won_month", "200.25"), ("pipeline_amount", "1333")]:
        count, total = rows_sum(client, board[key].url)
        assert total == board[key].value == Decimal(expected), key
    # The page itself links the same URL and shows the same figure.
    html = client.get("/dashboards/rep/", MARCH).content.decode()
    assert board["won_month"].url.replace("&", "&amp;") in html
    assert '200.25 <span class="unit">USD</span>' in html


def test_a_managers_tiles_and_bars_add_up_to_their_rows(client, book):
    manager = book["manager"]
    client.force_login(manager)
    board = manager_dashboard(manager, filters_for(manager), TODAY, 30)
    found = tiles(board)
    count, total = rows_sum(client, found["revenue"].url)
    assert total == found["revenue"].value == Decimal("1200.25")  # not the other team's 50,000
    assert count == 3
    count, total = rows_sum(client, found["pipeline_amount"].url)
    assert total == found["pipeline_amount"].value == Decimal("2666")
    chart = next(block for block in board.blocks if block.key == "pipeline")
    for row in chart.rows:  # one per rep: their open pipeline
        _, total = rows_sum(client, row.url)
        assert f"{total:,.2f} USD" == row.text
    leaderboard = next(block for block in board.blocks if block.key == "leaderboard")
    for line in leaderboard.rows:
        revenue = line[2]
        _, total = rows_sum(client, revenue.url)
        assert f"{total:,.2f} USD" == revenue.text


def test_bars_of_a_chart_link_to_their_rows(client, book):
    rep = book["rep"]
    client.force_login(rep)
    board = rep_dashboard(rep, filters_for(rep), TODAY)
    stages = next(block for block in board.blocks if block.key == "stages")
    links = stages.figure["data"][0]["customdata"]
    amounts = stages.figure["data"][0]["y"]
    assert len(links) == len(amounts) == 2
    for url, amount in zip(links, amounts, strict=True):
        _, total = rows_sum(client, url)
        assert total == Decimal(str(amount))


def test_activity_and_survey_counts_match_their_rows(client, book):
    manager = book["manager"]
    client.force_login(manager)
    board = manager_dashboard(manager, filters_for(manager), TODAY, 30)
    funnel = next(block for block in board.blocks if block.key == "funnel")
    calls = funnel.rows[0]
    assert calls.text.startswith("6")  # 3 calls each for Rita and Dee
    assert len(csv_rows(client, calls.url)) == 6


def test_executive_tiles_add_up(client, book):
    executive = book["executive"]
    client.force_login(executive)
    found = tiles(executive_dashboard(executive, filters_for(executive), TODAY))
    _, total = rows_sum(client, found["revenue"].url)
    assert total == found["revenue"].value == Decimal("51200.25")
    _, mrr = rows_sum(client, found["mrr"].url, "MRR")
    assert mrr == found["mrr"].value == Decimal("298.50")
    assert len(csv_rows(client, found["nps"].url)) == 3


def test_rows_sort_both_ways_and_paginate(client, book, stages):
    from tests.factories import DealFactory

    rep = book["rep"]
    for index in range(60):
        DealFactory(
            owner=rep,
            stage=stages["Won"],
            amount=Decimal(index),
            created_on=date(2026, 3, 1),
            closed_on=date(2026, 3, 2),
        )
    client.force_login(rep)
    url = "/dashboards/rows/deals/"
    up = client.get(url, {**MARCH, "measure": "won", "sort": "amount"})
    down = client.get(url, {**MARCH, "measure": "won", "sort": "-amount"})
    assert up.status_code == down.status_code == 200
    assert up.context["rows"][0][-1]["raw"] == Decimal(0)
    assert down.context["rows"][0][-1]["raw"] == Decimal("120.25")
    assert up.context["count"] == 62 and len(up.context["rows"]) == 50
    second = client.get(url, {**MARCH, "measure": "won", "sort": "amount", "page": 2})
    assert len(second.context["rows"]) == 12
    assert "Page 2 of 2" in second.content.decode()
    assert client.get(url, {**MARCH, "sort": "password"}).status_code == 400
    assert client.get(url, {**MARCH, "measure": "everything"}).status_code == 400


def test_csv_keeps_spreadsheet_formulas_inert(client, book, stages):
    from tests.factories import DealFactory

    DealFactory(
        owner=book["rep"],
        stage=stages["Won"],
        name="=HYPERLINK(1)",
        created_on=date(2026, 3, 1),
        closed_on=date(2026, 3, 2),
    )
    client.force_login(book["rep"])
    rows = csv_rows(client, "/dashboards/rows/deals/?period=month&on=2026-03-10&measure=won")
    assert "'=HYPERLINK(1)" in {row["Deal"] for row in rows}


def test_a_rep_cannot_list_another_reps_rows(client, book):
    client.force_login(book["rep"])
    rows = csv_rows(client, "/dashboards/rows/deals/?measure=all")
    assert rows and all(row["Owner"] == "Rita Rep" for row in rows)
    activities = csv_rows(client, "/dashboards/rows/activities/?period=year&on=2026-03-10")
    mine = Activity.objects.filter(rep=book["rep"], occurred_at__year=2026).count()
    assert len(activities) == mine
    assert client.get("/dashboards/rows/people/").status_code == 404


def test_stuck_deals_list_what_the_table_counts(client, book, today):
    from pipeline.models import Deal

    manager = book["manager"]
    client.force_login(manager)
    long_ago = datetime(2025, 1, 1, tzinfo=UTC)
    Deal.objects.filter(owner=book["deep"], status="open").update(created_on=date(2025, 1, 1))
    from pipeline.models import DealChange

    DealChange.objects.filter(deal__owner=book["deep"]).update(changed_at=long_ago)
    board = manager_dashboard(manager, filters_for(manager), today, 30)
    stuck = next(block for block in board.blocks if block.key == "stuck")
    rows = csv_rows(client, stuck.more)
    assert len(rows) == len(stuck.rows) >= 2
    assert {row["Owner"] for row in rows} == {"Dee Deep"}
    assert ON  # the book is dated in March 2026


@pytest.mark.parametrize(
    "params, status, said",
    [
        ({"measure": "stuck", "days": "-1"}, 400, "days"),
        ({"measure": "stuck", "days": "soon"}, 400, "days"),
        ({"measure": "open", "close_month": "2026-13"}, 400, "close_month is a month, YYYY-MM."),
        ({"month": "March"}, 400, "month is a month, YYYY-MM."),
        ({"owner": "1,x"}, 400, "owner is a list of ids."),
        ({"category": "maybe"}, 400, "category"),
        ({"stage": "999999"}, 404, ""),
        ({"rep": "999999"}, 404, ""),
        ({"on": "2026-03-40"}, 400, "on"),
    ],
)
def test_a_malformed_drill_parameter_is_named_and_a_foreign_id_is_not_found(
    client, book, params, status, said
):
    client.force_login(book["manager"])
    response = client.get("/dashboards/rows/deals/", {**MARCH, **params})
    assert response.status_code == status
    assert said in response.content.decode()


def test_the_words_of_a_drill_say_every_condition(client, book, stages):
    client.force_login(book["manager"])
    query = {**MARCH, "measure": "open", "close_month": "none", "stage": stages["Proposal"].pk}
    response = client.get("/dashboards/rows/deals/", {**query, "type": "new"})
    assert response.status_code == 200
    assert response.context["found"].title == (
        "Open deals without an expected close date in stage Proposal from new customers"
    )


def test_a_drill_down_says_whose_rows_and_which_band_it_lists(client, book):
    """The spread chart's bar opens the won deals of the reps in its band, and says so."""
    client.force_login(book["manager"])
    rep, deep = book["rep"], book["deep"]
    url = "/dashboards/rows/deals/?" + "&".join(f"{k}={v}" for k, v in MARCH.items())
    page = client.get(f"{url}&measure=won&owner={rep.pk},{deep.pk}&band=1").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "of the 2 reps at 50–80 % of quota (Dee Deep and Rita Rep)" in heading
    assert heading.startswith("Won deals closed from 2026-03-01 to 2026-03-31")
    page = client.get(f"{url}&measure=won&owner={rep.pk}").content.decode()
    assert "owned by Rita Rep</h1>" in page
    assert client.get(f"{url}&measure=won&owner={rep.pk}&band=9").status_code == 400


def test_the_spread_chart_links_each_band_to_its_reps(book):
    from dashboards.manager import distribution_chart
    from dashboards.rep_lines import RepLine

    lines = [
        RepLine(pk=7, name="A", values={"quota_attainment": Decimal("0.6")}),
        RepLine(pk=8, name="B", values={"quota_attainment": Decimal("1.5")}),
    ]
    found = distribution_chart(lines, lambda kind, **params: params)
    urls = [row.url for row in found.rows]
    assert urls[1] == {"measure": "won", "owner": "7", "band": 1}
    assert urls[4] == {"measure": "won", "owner": "8", "band": 4}
    assert urls[0] is None
