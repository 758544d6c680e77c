from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.http import QueryDict

from dashboards.filters import filters_from_query
from dashboards.rep import rep_dashboard
from scoring.models import DealScore, ScoreRun
from tests.clock import TODAY, pinned_moment
from tests.factories import DealFactory

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
            "− no activity for 21 days; − close date pushed 3 times; + in Negotiation",
            "5,000.00 USD",
            "Negotiation",
            "70.0 %",
        ]
    ]
    assert table.rows[0][1].tone == "bad"  # far below the stage's rate
    assert "no deal score model" not in table.note


def test_without_scores_the_table_says_why(rep, stages):
    table = block(rep, "scores")

    assert table.rows == []
    assert "learned each night from closed deals" in table.empty
