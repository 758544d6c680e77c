from datetime import date, timedelta
from decimal import Decimal

import pytest

from pipeline.models import SurveyResponse
from scoring.models import CommentSentiment
from scoring.selectors import accounts_sentiment_falling, sentiment_by_month
from scoring.sentiment import comment_sentiment, sentiment_label
from scoring.services import sentiment_fill
from tests.clock import TODAY
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


@pytest.mark.django_db
def test_an_account_whose_comments_turned_worse_is_flagged(rep, other_rep):
    falling, steady = AccountFactory(name="Falling", owner=rep), AccountFactory(owner=other_rep)
    said = [
        (falling, 200, "Great support team!", 5),  # +0.796, earlier window
        (falling, 150, "Excellent product, highly recommended.", 5),  # +0.700
        (falling, 20, "Too expensive for what we get; disappointed.", 2),  # -0.477, recent
        (steady, 200, "Great support team!", 5),
        (steady, 150, "Great support team!", 5),
        (steady, 20, "Great support team!", 4),
    ]
    for account, back, comment, score in said:
        SurveyResponse.objects.create(
            account=account, kind="csat", score=score, comment=comment,
            responded_on=TODAY - timedelta(days=back),
        )  # fmt: skip
    sentiment_fill()

    flagged = accounts_sentiment_falling(SurveyResponse.objects.all(), TODAY)

    assert [(a.name, a.owner_id, a.recent, a.comments) for a in flagged] == [
        ("Falling", rep.pk, Decimal("-0.477"), 1)
    ]
    assert flagged[0].before == Decimal("0.748")  # (0.7959 + 0.6997) / 2, to three places
    assert flagged[0].latest == "Too expensive for what we get; disappointed."
    months = sentiment_by_month(
        SurveyResponse.objects.filter(account=falling), TODAY.replace(day=1) - timedelta(days=40)
    )
    assert [(m.comments, m.sentiment, m.csat) for m in months] == [(1, Decimal("-0.477"), 0)]
