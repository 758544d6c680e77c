from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from pipeline.models import Activity, Deal
from scoring.models import DealScore, ScoreRun
from scoring.selectors import deal_scores, pipeline_weighting
from scoring.services import deal_scores_refresh
from scoring.tasks import deal_scores_refresh as task
from tests.clock import TODAY
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db
LIFE = 56  # days from creation to close for every training deal


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def call(rep, deal, day: date) -> None:
    Activity.objects.create(rep=rep, kind="call", occurred_at=at(day, 11), deal=deal)


def history_deal(rep, stages, created: date, won: bool) -> Deal:
    """Alike in all but two things: a winner is called every 4 days and its close date holds;
    a loser goes quiet after 10 days and its close date is pushed three times."""
    deal = DealFactory(
        owner=rep, stage=stages["Proposal"], created_on=created,
        expected_close_on=created + timedelta(days=LIFE),
    )  # fmt: skip
    deal.changes.update(changed_at=at(created))  # the factory wrote its first row now
    for offset in range(0, LIFE, 4) if won else range(0, 10, 4):
        call(rep, deal, created + timedelta(days=offset))
    if not won:
        for push in (15, 25, 35):
            deal.expected_close_on += timedelta(days=14)
            deal.save(changed_at=at(created + timedelta(days=push)))
    deal.stage = stages["Won" if won else "Lost"]
    deal.closed_on = created + timedelta(days=LIFE)
    deal.save(changed_at=at(deal.closed_on))
    return deal


@pytest.fixture
def trained_history(rep, stages):
    first = date(2026, 1, 5)
    for i in range(60):
        history_deal(rep, stages, first + timedelta(days=3 * i), won=i % 2 == 0)


def open_deal(rep, stages, name: str, last_call: date, pushes: int, calls: int = 1) -> Deal:
    created = TODAY - timedelta(days=40)
    deal = DealFactory(
        name=name, owner=rep, stage=stages["Proposal"], created_on=created,
        expected_close_on=TODAY + timedelta(days=20),
    )  # fmt: skip
    deal.changes.update(changed_at=at(created))  # the factory wrote its first row now
    for push in range(pushes):
        deal.expected_close_on += timedelta(days=7)
        deal.save(changed_at=at(created + timedelta(days=5 + push)))
    for back in range(calls):
        call(rep, deal, last_call - timedelta(days=4 * back))
    return deal


def test_a_quiet_deal_whose_close_date_slipped_says_so(rep, stages, trained_history):
    quiet = open_deal(rep, stages, "Quiet", TODAY - timedelta(days=21), pushes=3)
    busy = open_deal(rep, stages, "Busy", TODAY - timedelta(days=1), pushes=0, calls=8)

    run = deal_scores_refresh()

    assert run.status == ScoreRun.Status.DONE, run.error
    scores = deal_scores(Deal.objects.all())
    assert set(scores) == {quiet.pk, busy.pk}  # closed deals get no score
    texts = {reason["text"]: reason["effect"] for reason in scores[quiet.pk].reasons}
    assert len(scores[quiet.pk].reasons) == 3
    assert texts["no activity for 21 days"] == "-"
    assert texts["close date pushed 3 times"] == "-"
    assert scores[quiet.pk].probability < 0.2 < 0.8 < scores[busy.pk].probability
    assert {r["effect"] for r in scores[busy.pk].reasons} == {"+"}
    assert "close date never pushed" in [r["text"] for r in scores[busy.pk].reasons]


def test_a_new_run_replaces_the_scores(rep, stages, trained_history):
    deal = open_deal(rep, stages, "Quiet", TODAY - timedelta(days=21), pushes=3)
    first = deal_scores_refresh()
    second = deal_scores_refresh()

    assert DealScore.objects.get().run == second != first
    assert second.deals_scored == 1
    assert DealScore.objects.get().deal == deal


def test_too_little_history_keeps_the_previous_scores(rep, stages, trained_history):
    open_deal(rep, stages, "Quiet", TODAY - timedelta(days=21), pushes=3)
    kept = deal_scores_refresh()
    Deal.objects.filter(status__in=["won", "lost"]).delete()

    failed = deal_scores_refresh()

    assert failed.status == ScoreRun.Status.FAILED
    assert "at least 40" in failed.error
    assert DealScore.objects.get().run == kept


def test_the_weighting_says_stage_rates_until_a_model_is_checked(rep, stages):
    in_use, sentence = pipeline_weighting()

    assert not in_use
    assert sentence.startswith("The weighted pipeline uses stage win rates: no deal score")


def test_the_nightly_task_scores_deals_and_comments(rep, stages, trained_history):
    open_deal(rep, stages, "Quiet", TODAY - timedelta(days=21), pushes=3)

    summary = task.delay().get()

    assert summary == {
        "run": ScoreRun.objects.get().pk,
        "status": "done",
        "deals": 1,
        "comments": 0,
    }
