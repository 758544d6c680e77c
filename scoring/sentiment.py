"""How positive a survey comment reads: VADER, a lexicon and rules that ship with its package.

The lexicon is read from the installed package on first use; nothing is downloaded.
"""

from decimal import Decimal
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

THREE = Decimal("0.001")
# VADER's own thresholds for a positive or negative sentence.
POSITIVE, NEGATIVE = Decimal("0.05"), Decimal("-0.05")


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def comment_sentiment(text: str) -> Decimal:
    """The compound score of `text`, from -1 (most negative) to +1 (most positive)."""
    compound = _analyzer().polarity_scores(text)["compound"]
    return Decimal(str(compound)).quantize(THREE)


def sentiment_label(compound: Decimal | None) -> str:
    if compound is None:
        return "—"
    if compound >= POSITIVE:
        return "positive"
    return "negative" if compound <= NEGATIVE else "neutral"
