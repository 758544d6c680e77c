from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.http import QueryDict

from dashboards.filters import filters_from_query
from dashboards.rep import rep_dashboard
from pipeline.models import SurveyResponse
from scoring.models import DealScore, ScoreRun
from scoring.services import sentiment_fill
from tests.clock import TODAY, pinned_moment
from tests.factories import AccountFactory, DealFactory

pytestmark = pytest.mark.django_db


def block(user, key: str):
    query = QueryDict(mutable=True)
    query.update({"period": "month", "on": TODAY.isoformat()})
    filters = filters_from_query(user, query, today=TODAY, period="month")
    board = rep_dashboard(user, filters, TODAY)
    return next(item for item in board.blocks if item.key == key)


def test_a_rep_sees_the_scores_of_their_own_open_deals_only(rep, other_rep, stages):
    now = pinned_moment(settings.TIME_ZONE)
    run = ScoreRun.objects.create(started_at=now, cutoff=now, status=ScoreRun.Status.DONE)
    reasons = [
        {"text": "no activity for 21 days", "effect": "-"},
        {"text": "close date pushed 3 times", "effect": "-"},
        {"text": "in Negotiation", "effect": "+"},
    ]
    for owner, name in ((rep, "Mine"), (other_rep, "Theirs")):
        deal = DealFactory(
            name=name, owner=owner, stage=stages["Negotiation"], amount=Decimal("5000.00"),
            created_on=date(2026, 10, 1),
        )  # fmt: skip
        DealScore.objects.create(
            deal=deal, run=run, probability=Decimal("0.2150"), baseline=Decimal("0.7000"),
            reasons=reasons,
        )  # fmt: skip

    table = block(rep, "scores")

    assert [[cell.text for cell in row] for row in table.rows] == [
        [
            "Mine",
            "21.5 %",
            "5,000.00 USD",
            "Negotiation",
            "70.0 %",
            "− no activity for 21 days; − close date pushed 3 times; + in Negotiation",
        ]
    ]
    assert table.rows[0][1].tone == "bad"  # far below the stage's rate
    assert "no deal score model" not in table.note


def test_without_scores_the_table_says_why(rep, stages):
    table = block(rep, "scores")

    assert table.rows == []
    assert "learned each night from closed deals" in table.empty


def test_the_deal_page_gives_the_score_and_its_reasons(client, rep, other_rep, stages):
    now = pinned_moment(settings.TIME_ZONE)
    run = ScoreRun.objects.create(started_at=now, cutoff=now, status=ScoreRun.Status.DONE)
    deal = DealFactory(owner=rep, stage=stages["Proposal"], created_on=date(2026, 10, 1))
    DealScore.objects.create(
        deal=deal, run=run, probability=Decimal("0.6400"), baseline=Decimal("0.4000"),
        reasons=[{"text": "close date never pushed", "effect": "+"}],
    )  # fmt: skip
    client.force_login(rep)

    page = client.get(f"/deals/{deal.pk}/").content.decode()

    assert "64.0 %</p>" in page
    assert "Stage rate: 40.0 %. Scored 2026-12-02." in page
    assert "close date never pushed (helps)" in page
    client.force_login(other_rep)
    assert client.get(f"/deals/{deal.pk}/").status_code == 404


def test_the_account_page_gives_comment_sentiment_over_time(client, rep):
    account = AccountFactory(owner=rep)
    for day, comment in ((date(2026, 6, 3), "Great support team!"), (date(2026, 11, 20), "")):
        SurveyResponse.objects.create(
            account=account, kind="csat", score=5, responded_on=day, comment=comment
        )
    sentiment_fill()
    client.force_login(rep)

    page = client.get(f"/accounts/{account.pk}/").content.decode()

    assert "+0.80 (positive) over 1 comment" in page
    assert "Customer voice by month" in page
