"""What the models say: open deals' win scores and reasons, and the customers' voice."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from core.periods import add_months
from dashboards.common import Cell, Table, account_url, deal_url, fmt
from metrics.definitions import CURRENCY, FRACTION
from metrics.scope import Scope
from pipeline.models import Deal, StageKind, SurveyResponse
from scoring.selectors import (
    RECENT_DAYS,
    Score,
    accounts_sentiment_falling,
    deal_scores,
    pipeline_weighting,
    sentiment_by_month,
)
from scoring.sentiment import sentiment_label

SCORED_SHOWN = 10
VOICE_MONTHS = 12


def _reasons(reasons: list[dict]) -> str:
    signs = {"+": "+", "-": "−"}
    return "; ".join(f"{signs[reason['effect']]} {reason['text']}" for reason in reasons)


def scored_deals_table(scope: Scope, link) -> Table:
    """The largest open deals with their win score, the stage's rate and the reasons."""
    deals = scope.deals.filter(status=StageKind.OPEN).order_by("-amount", "id")
    scores = deal_scores(deals)
    shown = deals.filter(pk__in=scores).select_related("stage")[:SCORED_SHOWN]
    rows = [
        [
            Cell(deal.name, deal_url(deal.pk)),
            Cell(fmt(scores[deal.pk].probability, FRACTION), num=True, tone=_tone(scores[deal.pk])),
            Cell(fmt(deal.amount, CURRENCY), num=True),
            Cell(deal.stage.name),
            Cell(fmt(scores[deal.pk].baseline, FRACTION), num=True),
            Cell(_reasons(scores[deal.pk].reasons)),  # last: the one column that wraps
        ]
        for deal in shown
    ]
    _, weighting = pipeline_weighting()
    return Table(
        "scores",
        "Open deals: win score",
        [
            ("Deal", False),
            ("Win score", True),
            ("Amount", True),
            ("Stage", False),
            ("Stage rate", True),
            ("Why (+ helps, − hurts)", False),
        ],
        rows,
        empty="No scored open deals: scores are learned each night from closed deals, once "
        "there are enough of them, won and lost.",
        note=f"The largest open deals. {weighting}",
        more=link("deals", measure="open"),
        wide=True,
    )


def _tone(score) -> str:
    gap = score.probability - score.baseline
    return "good" if gap >= 0.15 else "bad" if gap <= -0.15 else ""


def voice_table(surveys: QuerySet[SurveyResponse], today: date) -> Table:
    """Comment sentiment by month beside CSAT and NPS of scoped answers, the latest first."""
    first = add_months(today.replace(day=1), 1 - VOICE_MONTHS)
    rows = [
        [
            Cell(voice.month.strftime("%Y-%m")),
            Cell(f"{voice.comments:,}", num=True),
            Cell(_sentiment(voice.sentiment), num=True, tone=_voice_tone(voice.sentiment)),
            Cell(_number(voice.csat, "{:.0f} %"), num=True),
            Cell(_number(voice.nps, "{:+.0f}"), num=True),
        ]
        for voice in reversed(sentiment_by_month(surveys, first))
    ]
    return Table(
        "voice",
        "Customer voice by month",
        [("Month", False), ("Comments", True), ("Sentiment", True), ("CSAT", True), ("NPS", True)],
        rows,
        empty="No survey answers from these customers in the last 12 months.",
        note="Sentiment: the mean VADER score of the month's comments, -1 (negative) to +1 "
        "(positive). CSAT: share of 4 and 5 answers, percent. NPS: promoters minus detractors.",
    )


def _number(value, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def _sentiment(value) -> str:
    return "—" if value is None else f"{value:+.2f} ({sentiment_label(value)})"


def _voice_tone(value) -> str:
    label = sentiment_label(value)
    return {"positive": "good", "negative": "bad"}.get(label, "")


def falling_table(scope: Scope, today: date) -> Table:
    """Accounts whose customers' comments turned worse, for their owner to call."""
    rows = [
        [
            Cell(item.name, account_url(item.account_id)),
            Cell(f"{item.before:+.2f}", num=True),
            Cell(f"{item.recent:+.2f}", num=True, tone="bad"),
            Cell(f"{item.comments:,}", num=True),
            Cell(item.latest),
        ]
        for item in accounts_sentiment_falling(scope.surveys, today)
    ]
    return Table(
        "sentiment_falling",
        "Accounts whose sentiment fell",
        [
            ("Account", False),
            ("Before", True),
            (f"Last {RECENT_DAYS} days", True),
            ("Comments", True),
            ("Latest comment", False),
        ],
        rows,
        empty="No account's comments turned worse in the last 90 days.",
        note=f"Mean comment sentiment of the last {RECENT_DAYS} days at least 0.30 below that "
        "of the 180 days before (two comments or more then).",
        wide=True,
    )


@dataclass(frozen=True)
class DealScoreView:
    """What the deal page shows of a deal's score; `score` None: not scored (closed, or no
    model yet), with `note` saying why."""

    score: Score | None
    reasons: list[str]
    note: str

    @property
    def text(self) -> str:
        return "—" if self.score is None else fmt(self.score.probability, FRACTION)

    @property
    def detail(self) -> str:
        if self.score is None:
            return ""
        return (
            f"Stage rate: {fmt(self.score.baseline, FRACTION)}. Scored "
            f"{self.score.scored_on.isoformat()}."
        )


def deal_score_view(deal: Deal) -> DealScoreView:
    score = deal_scores(Deal.objects.filter(pk=deal.pk)).get(deal.pk)
    if deal.status != StageKind.OPEN:
        return DealScoreView(None, [], "Closed deals are not scored: they ended as they did.")
    if score is None:
        return DealScoreView(
            None, [], "Not scored yet: scores are learned each night from closed deals."
        )
    signs = {"+": "helps", "-": "hurts"}
    reasons = [f"{reason['text']} ({signs[reason['effect']]})" for reason in score.reasons]
    return DealScoreView(score, reasons, pipeline_weighting()[1])


def account_sentiment_text(surveys: QuerySet[SurveyResponse], today: date) -> tuple[str, bool]:
    """The mean sentiment of an account's comments in words, and whether it fell lately."""
    scored = list(surveys.filter(sentiment__isnull=False).values_list("sentiment__compound"))
    if not scored:
        return "— (no comment scored)", False
    mean = sum((value for (value,) in scored), Decimal(0)) / len(scored)
    count = "1 comment" if len(scored) == 1 else f"{len(scored):,} comments"
    text = f"{_sentiment(mean)} over {count}"
    falling = accounts_sentiment_falling(surveys, today)
    if falling:
        item = falling[0]
        text += (
            f"; fell from {item.before:+.2f} to {item.recent:+.2f} in the last {RECENT_DAYS} days"
        )
    return text, bool(falling)
