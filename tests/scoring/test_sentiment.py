from datetime import date
from decimal import Decimal

import pytest

from pipeline.models import SurveyResponse
from scoring.models import CommentSentiment
from scoring.sentiment import comment_sentiment, sentiment_label
from scoring.services import sentiment_fill
from tests.factories import AccountFactory


@pytest.mark.parametrize(
    ("comment", "label"),
    [
        ("Great support team, we love the product!", "positive"),
        ("Terrible onboarding, slow and frustrating support.", "negative"),
        ("We renewed the contract in March.", "neutral"),
    ],
)
def test_hand_written_comments_read_as_they_are_meant(comment, label):
    assert sentiment_label(comment_sentiment(comment)) == label


def test_vader_scores_the_lexicon_it_ships():
    # "love" is +3.2 in VADER's lexicon: one word alone is 3.2 / sqrt(3.2² + 15) = 0.6369.
    assert comment_sentiment("love") == Decimal("0.637")
    assert comment_sentiment("") == Decimal("0.000")


def test_no_score_is_no_label():
    assert sentiment_label(None) == "—"


@pytest.mark.django_db
def test_fill_scores_new_and_edited_comments_once():
    account = AccountFactory()
    answer = dict(account=account, kind="csat", score=5, responded_on=date(2026, 11, 3))
    liked = SurveyResponse.objects.create(comment="Great support team.", **answer)
    SurveyResponse.objects.create(comment="", **answer)

    assert sentiment_fill() == 1
    assert sentiment_fill() == 0
    liked.comment = "Awful, we are leaving."
    liked.save()
    assert sentiment_fill() == 1
    assert CommentSentiment.objects.get().compound < 0
