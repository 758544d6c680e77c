from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings

from core.periods import end_of_day
from forecasting.build import facts_collect
from forecasting.probabilities import WinProbabilities
from forecasting.services import forecast_run
from scoring.models import DealScore, ScoreRun
from scoring.selectors import deal_scores_apply, pipeline_weighting
from tests.clock import TODAY, pinned_moment
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db
MONTH = ("month", TODAY.replace(day=1))


def scored_run(model_brier: str, baseline_brier: str) -> ScoreRun:
    now = pinned_moment(settings.TIME_ZONE)
    return ScoreRun.objects.create(
        started_at=now, cutoff=now, status=ScoreRun.Status.DONE, holdout_on=date(2026, 9, 3),
        holdout_deals=120, model_brier=Decimal(model_brier),
        baseline_brier=Decimal(baseline_brier),
    )  # fmt: skip


@pytest.fixture
def two_deals(rep, stages):
    """Two open Proposal deals due this month (stage default 40 %), one of them scored 90 %."""
    due = TODAY + timedelta(days=3)
    scored, unscored = (
        DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal(amount),
                    created_on=date(2026, 11, 2), expected_close_on=due)
        for amount in ("1000.00", "500.00")
    )  # fmt: skip
    return scored, unscored


def weighted(stages, scored: bool) -> Decimal:
    probabilities = WinProbabilities(defaults={stages["Proposal"].pk: Decimal("0.4")})
    facts = facts_collect(
        as_of=TODAY, moment=end_of_day(TODAY), probabilities=probabilities, scored=scored
    )
    return sum(cells[MONTH].weighted_open for cells in facts.sums.values() if MONTH in cells)


def test_the_weighted_pipeline_takes_each_scored_deals_score(two_deals, stages):
    run = scored_run("0.1500", "0.2100")
    DealScore.objects.create(
        deal=two_deals[0], run=run, probability=Decimal("0.9"), baseline=Decimal("0.4")
    )

    # 1,000 x 0.9 + 500 x 0.4 (no score: the stage rate), against (1,000 + 500) x 0.4.
    assert weighted(stages, scored=True) == Decimal("1100")
    assert weighted(stages, scored=False) == Decimal("600")


def test_scores_weight_the_pipeline_only_when_they_beat_the_stage_rates(two_deals):
    yesterday = TODAY - timedelta(days=1)
    assert not deal_scores_apply(as_of=yesterday)

    scored_run("0.2200", "0.2100")
    assert not deal_scores_apply(as_of=yesterday)
    assert pipeline_weighting() == (
        False,
        "The weighted pipeline uses stage win rates, which did better: Brier score 0.2200 "
        "for the deal scores against 0.2100 for stage win rates on the 120 deals open on "
        "2026-09-03.",
    )

    scored_run("0.1500", "0.2100")
    assert deal_scores_apply(as_of=yesterday)
    assert not deal_scores_apply(as_of=TODAY - timedelta(days=30))  # a replayed past day
    assert forecast_run(as_of=yesterday).weighted_by_scores
