"""Writes: the nightly training and scoring run, and comment sentiment."""

import traceback
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pipeline.models import Deal, Stage, StageKind, SurveyResponse
from scoring.evaluation import backtest_at, fit_of
from scoring.features import book_load, deal_row, rates_before
from scoring.model import NotEnoughHistory, model_train, training_examples
from scoring.models import CommentSentiment, DealScore, ScoreRun
from scoring.sentiment import comment_sentiment

HOLDOUT_DAYS = 90
BATCH_SIZE = 2000
FOUR = Decimal("0.0001")


def stage_defaults() -> dict:
    return {pk: p / 100 for pk, p in Stage.objects.values_list("id", "probability")}


def _four(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(FOUR)


def deal_scores_refresh(*, moment: datetime | None = None) -> ScoreRun:
    """Train on the deals closed by `moment` (now), score every open deal, check the model on
    the deals open `HOLDOUT_DAYS` earlier, and replace the stored scores.

    A failed run keeps its error and leaves the previous scores in place.
    """
    moment = moment or timezone.now()
    run = ScoreRun.objects.create(started_at=timezone.now(), cutoff=moment)
    try:
        _train_and_score(run, moment)
    except NotEnoughHistory as error:
        _fail(run, str(error))
    except Exception:
        _fail(run, traceback.format_exc())
        raise
    return run


def _fail(run: ScoreRun, error: str) -> None:
    run.status, run.error, run.finished_at = ScoreRun.Status.FAILED, error, timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


def _train_and_score(run: ScoreRun, moment: datetime) -> None:
    book = book_load(Deal.objects.all(), moment)
    defaults = stage_defaults()
    examples = training_examples(book, moment)
    model = model_train(examples, defaults)
    _holdout(run, book, moment, defaults)
    rates = rates_before(book, timezone.localdate(moment))
    open_ids = [pk for pk, facts in book.deals.items() if facts.status == StageKind.OPEN]
    rows = [row for pk in open_ids if (row := deal_row(book, pk, moment, rates)) is not None]
    chances, baseline = model.predict(rows), model.baseline.predict(rows)
    scores = [
        DealScore(
            deal_id=row.deal_id,
            run=run,
            probability=Decimal(str(float(chance))).quantize(FOUR),
            baseline=Decimal(str(float(base))).quantize(FOUR),
            reasons=reasons,
        )
        for row, chance, base, reasons in zip(
            rows, chances, baseline, model.reasons(rows), strict=True
        )
    ]
    with transaction.atomic():
        DealScore.objects.all().delete()
        DealScore.objects.bulk_create(scores, batch_size=BATCH_SIZE)
        run.examples, run.deals_scored = len(examples.rows), len(scores)
        run.status, run.finished_at = ScoreRun.Status.DONE, timezone.now()
        run.save()


def _holdout(run: ScoreRun, book, moment: datetime, defaults: dict) -> None:
    """How a model trained `HOLDOUT_DAYS` ago does on the deals open then, against the
    stage rates; left empty when there was too little history then."""
    day = timezone.localdate(moment) - timedelta(days=HOLDOUT_DAYS)
    try:
        outcome = backtest_at(book, day, defaults)
    except NotEnoughHistory:
        return
    if not len(outcome.won):
        return
    model, baseline = fit_of(outcome.model, outcome.won), fit_of(outcome.baseline, outcome.won)
    run.holdout_on, run.holdout_deals = day, len(outcome.won)
    run.model_auc, run.model_brier = _four(model.auc), _four(model.brier)
    run.baseline_auc, run.baseline_brier = _four(baseline.auc), _four(baseline.brier)


def sentiment_fill() -> int:
    """Score every survey comment not scored yet, or edited since; return how many."""
    scored = dict(CommentSentiment.objects.values_list("response_id", "comment"))
    todo = [
        (pk, text)
        for pk, text in SurveyResponse.objects.exclude(comment="").values_list("id", "comment")
        if scored.get(pk) != text
    ]
    rows = [
        CommentSentiment(response_id=pk, comment=text, compound=comment_sentiment(text))
        for pk, text in todo
    ]
    with transaction.atomic():
        CommentSentiment.objects.filter(
            response_id__in=[pk for pk, _ in todo if pk in scored]
        ).delete()
        CommentSentiment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)
