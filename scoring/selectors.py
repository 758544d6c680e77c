"""Reads: deal scores for an already scoped queryset, the run in use, comment sentiment."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from pipeline.models import Deal
from scoring.models import DealScore, ScoreRun


@dataclass(frozen=True)
class Score:
    probability: Decimal
    baseline: Decimal
    reasons: list[dict]  # {"text": ..., "effect": "+" or "-"}, strongest first
    scored_on: date


def deal_scores(deals: QuerySet[Deal]) -> dict[int, Score]:
    """The latest score of each deal of `deals` that has one (open deals), by deal id."""
    rows = DealScore.objects.filter(deal__in=deals).values_list(
        "deal_id", "probability", "baseline", "reasons", "run__cutoff"
    )
    return {
        pk: Score(probability, baseline, reasons, cutoff.date())
        for pk, probability, baseline, reasons, cutoff in rows
    }


def score_run_latest() -> ScoreRun | None:
    """The run whose scores are stored: the latest that finished."""
    return ScoreRun.objects.filter(status=ScoreRun.Status.DONE).first()


def pipeline_weighting() -> tuple[bool, str]:
    """Whether the weighted pipeline uses the deal scores, and a sentence saying why."""
    run = score_run_latest()
    if run is None:
        return False, "Weighted by stage win rates: no deal score model has been trained yet."
    if run.model_brier is None or run.baseline_brier is None:
        return False, (
            "Weighted by stage win rates: too little history to check the deal score model "
            f"on deals open {run.holdout_on or 'a quarter ago'}."
        )
    figures = (
        f"Brier score {run.model_brier} for the deal scores against {run.baseline_brier} for "
        f"stage win rates on the {run.holdout_deals} deals open on {run.holdout_on}"
    )
    if run.model_beats_baseline:
        return True, f"Weighted by deal scores: {figures}."
    return False, f"Weighted by stage win rates, which did better: {figures}."
