"""Reads: deal scores for an already scoped queryset, the run in use, comment sentiment."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from metrics import formulas
from pipeline.models import Deal, SurveyKind, SurveyResponse
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
        return (
            False,
            "The weighted pipeline uses stage win rates: no deal score model is trained yet.",
        )
    if run.model_brier is None or run.baseline_brier is None:
        return False, (
            "The weighted pipeline uses stage win rates: too little history to check the deal "
            "score model "
            f"on deals open {run.holdout_on or 'a quarter ago'}."
        )
    figures = (
        f"Brier score {run.model_brier} for the deal scores against {run.baseline_brier} for "
        f"stage win rates on the {run.holdout_deals} deals open on {run.holdout_on}"
    )
    if run.model_beats_baseline:
        return True, f"The weighted pipeline uses the deal scores: {figures}."
    return False, f"The weighted pipeline uses stage win rates, which did better: {figures}."


@dataclass(frozen=True)
class MonthVoice:
    month: date
    comments: int
    sentiment: Decimal | None  # mean compound of the month's comments
    csat: Decimal | None  # share of 4-5 answers, percent
    nps: Decimal | None


def sentiment_by_month(surveys: QuerySet[SurveyResponse], first: date) -> list[MonthVoice]:
    """Per month from `first`: comment sentiment beside CSAT and NPS, of scoped answers."""
    rows = (
        surveys.filter(responded_on__gte=first)
        .annotate(month=TruncMonth("responded_on"))
        .values("month")
        .annotate(
            comments=Count("sentiment"),
            mean=Avg("sentiment__compound"),
            csat_all=Count("id", filter=Q(kind=SurveyKind.CSAT)),
            csat_good=Count("id", filter=Q(kind=SurveyKind.CSAT, score__gte=4)),
            nps_all=Count("id", filter=Q(kind=SurveyKind.NPS)),
            promoters=Count("id", filter=Q(kind=SurveyKind.NPS, score__gte=9)),
            detractors=Count("id", filter=Q(kind=SurveyKind.NPS, score__lte=6)),
        )
        .order_by("month")
    )
    return [
        MonthVoice(
            month=row["month"],
            comments=row["comments"],
            sentiment=_three(row["mean"]),
            csat=formulas.csat(row["csat_good"], row["csat_all"]),
            nps=formulas.nps(row["promoters"], row["detractors"], row["nps_all"]),
        )
        for row in rows
    ]


def _three(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.001"))


@dataclass(frozen=True)
class FallingAccount:
    account_id: int
    name: str
    owner_id: int | None
    before: Decimal  # mean sentiment of the earlier window's comments
    recent: Decimal  # mean sentiment of the last `RECENT_DAYS`
    comments: int  # in the last `RECENT_DAYS`
    latest: str  # the latest comment


RECENT_DAYS, EARLIER_DAYS = 90, 180
FALL = Decimal("0.3")  # a drop in mean compound score that flags an account
MIN_RECENT, MIN_EARLIER = 1, 2  # comments in each window


def accounts_sentiment_falling(
    surveys: QuerySet[SurveyResponse], today: date
) -> list[FallingAccount]:
    """Accounts whose comments of the last `RECENT_DAYS` read at least `FALL` worse than those
    of the `EARLIER_DAYS` before (`MIN_RECENT` and `MIN_EARLIER` comments at least); the worst
    drop first."""
    split = today - timedelta(days=RECENT_DAYS)
    start = split - timedelta(days=EARLIER_DAYS)
    scored = surveys.filter(sentiment__isnull=False, responded_on__gte=start)
    rows = scored.values("account_id", "account__name", "account__owner_id").annotate(
        recent=Avg("sentiment__compound", filter=Q(responded_on__gt=split)),
        recent_n=Count("id", filter=Q(responded_on__gt=split)),
        before=Avg("sentiment__compound", filter=Q(responded_on__lte=split)),
        before_n=Count("id", filter=Q(responded_on__lte=split)),
    )
    falling = [
        row
        for row in rows
        if row["recent_n"] >= MIN_RECENT
        and row["before_n"] >= MIN_EARLIER
        and Decimal(row["before"]) - Decimal(row["recent"]) >= FALL
    ]
    latest = _latest_comments(scored, [row["account_id"] for row in falling])
    found = [
        FallingAccount(
            account_id=row["account_id"],
            name=row["account__name"],
            owner_id=row["account__owner_id"],
            before=_three(row["before"]) or Decimal(0),
            recent=_three(row["recent"]) or Decimal(0),
            comments=row["recent_n"],
            latest=latest.get(row["account_id"], ""),
        )
        for row in falling
    ]
    return sorted(found, key=lambda item: (item.recent - item.before, item.name))


def _latest_comments(surveys: QuerySet[SurveyResponse], ids: list[int]) -> dict[int, str]:
    latest: dict[int, str] = {}
    rows = surveys.filter(account_id__in=ids).order_by("account_id", "-responded_on", "-id")
    for pk, comment in rows.values_list("account_id", "comment"):
        latest.setdefault(pk, comment)
    return latest


def deal_scores_apply(*, as_of: date) -> bool:
    """Whether a forecast as of the end of `as_of` weights its pipeline by the deal scores:
    they beat the stage rates on the hold-out, and were computed then (that night)."""
    run = score_run_latest()
    if run is None or not run.model_beats_baseline:
        return False
    scored_on = timezone.localdate(run.cutoff)
    return as_of <= scored_on <= as_of + timedelta(days=1)
