"""Every rule the database holds, tried with a bad value: a clear message, and nothing written."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pipeline.models import Account, Deal, Product, Stage, Subscription, SurveyResponse
from quotas.models import Quota
from territories.models import Territory, TerritoryAssignment

pytestmark = pytest.mark.django_db


def assert_rejected(obj, message: str) -> None:
    """full_clean names the problem, and a save that skips validation is refused by the DB."""
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    assert message in str(caught.value)
    model = type(obj)
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
    assert model.objects.count() == before


def deal(stages, **fields) -> Deal:
    values = {"name": "Big one", "stage": stages["Prospecting"], "created_on": date(2026, 3, 1)}
    return Deal(**{**values, **fields})


def test_negative_deal_amount_is_rejected(stages):
    assert_rejected(deal(stages, amount=Decimal("-1")), "A deal amount cannot be negative.")


def test_won_deal_without_closed_date_is_rejected(stages):
    assert_rejected(deal(stages, stage=stages["Won"]), "A won or lost deal needs a closed date")


def test_open_deal_with_closed_date_is_rejected(stages):
    bad = deal(stages, closed_on=date(2026, 3, 5))
    assert_rejected(bad, "an open deal cannot have one")


def test_deal_closed_before_created_is_rejected(stages):
    bad = deal(stages, stage=stages["Lost"], closed_on=date(2026, 2, 1))
    assert_rejected(bad, "A deal cannot close before it was created.")


def test_a_valid_won_deal_is_accepted(stages):
    good = deal(stages, stage=stages["Won"], closed_on=date(2026, 3, 1), amount=Decimal("10"))
    good.full_clean()
    good.save()
    assert (good.status, good.forecast_category) == ("won", "closed")


def test_negative_prices_and_revenue_are_rejected():
    assert_rejected(Product(name="X", list_price=Decimal("-5")), "List price cannot be negative.")
    account = Account(name="Acme", annual_revenue=Decimal("-1"))
    assert_rejected(account, "Annual revenue cannot be negative.")


@pytest.mark.parametrize(
    ("kind", "score", "ok"),
    [
        ("csat", 0, False),
        ("csat", 1, True),
        ("csat", 5, True),
        ("csat", 6, False),
        ("nps", 0, True),
        ("nps", 10, True),
        ("nps", 11, False),
    ],
)
def test_survey_scores_must_fit_their_scale(kind, score, ok):
    response = SurveyResponse(
        account=Account.objects.create(name="Acme"),
        kind=kind,
        score=score,
        responded_on=date(2026, 1, 1),
    )
    if ok:
        response.full_clean()
    else:
        assert_rejected(response, "A CSAT score is 1 to 5; an NPS score is 0 to 10.")


def test_subscription_rules():
    account = Account.objects.create(name="Acme")
    ends_early = Subscription(
        account=account, mrr=Decimal("10"), start=date(2026, 2, 1), end=date(2026, 1, 1)
    )
    assert_rejected(ends_early, "A subscription cannot end before it starts.")
    negative = Subscription(account=account, mrr=Decimal("-10"), start=date(2026, 2, 1))
    assert_rejected(negative, "MRR cannot be negative.")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"probability": 120, "kind": "open"}, "A win probability is a percent from 0 to 100."),
        ({"probability": 90, "kind": "won"}, "A won stage has a probability of 100."),
        ({"probability": 5, "kind": "lost"}, "A lost stage has a probability of 0."),
    ],
)
def test_stage_probabilities_fit_the_kind(fields, message):
    assert_rejected(Stage(name="S", order=9, **fields), message)


def test_a_stage_with_deals_cannot_change_kind(stages):
    deal(stages).save()
    stage = stages["Prospecting"]
    stage.kind, stage.probability = "won", 100
    with pytest.raises(ValidationError, match="its kind cannot change"):
        stage.full_clean()


def test_assignment_cannot_end_before_it_starts(rep):
    territory = Territory.objects.create(name="North", kind="territory")
    bad = TerritoryAssignment(
        rep=rep, territory=territory, start=date(2026, 5, 1), end=date(2026, 4, 1)
    )
    assert_rejected(bad, "An assignment cannot end before it starts.")


def test_quota_needs_exactly_one_assignee(rep):
    team = rep.team
    both = Quota(
        rep=rep,
        team=team,
        period="month",
        start=date(2026, 1, 1),
        metric="bookings",
        amount=Decimal("1"),
    )
    assert_rejected(both, "A quota belongs to exactly one rep, team or territory.")
    neither = Quota(period="month", start=date(2026, 1, 1), metric="bookings", amount=1)
    assert_rejected(neither, "A quota belongs to exactly one rep, team or territory.")


def test_quota_amount_and_uniqueness(rep):
    fields = {"rep": rep, "period": "month", "start": date(2026, 1, 1), "metric": "bookings"}
    assert_rejected(Quota(amount=Decimal("-1"), **fields), "A quota cannot be negative.")
    Quota.objects.create(amount=Decimal("100"), **fields)
    assert_rejected(Quota(amount=Decimal("200"), **fields), "already has a quota")


def test_quota_must_start_on_its_fiscal_period(rep, settings):
    settings.FISCAL_YEAR_START_MONTH = 2
    quarter = Quota(
        rep=rep, period="quarter", start=date(2026, 1, 1), metric="bookings", amount=Decimal("1")
    )
    with pytest.raises(ValidationError, match="starts on 2025-11-01"):
        quarter.full_clean()
    quarter.start = date(2026, 2, 1)
    quarter.full_clean()


def test_reporting_line_cannot_loop(manager, rep):
    manager.manager = rep
    with pytest.raises(ValidationError, match="would form a loop"):
        manager.full_clean()


def test_person_cannot_manage_themselves(rep):
    rep.manager = rep
    with pytest.raises(ValidationError, match="would form a loop"):
        rep.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        rep.save()


def test_territory_tree_cannot_loop():
    region = Territory.objects.create(name="West", kind="region")
    area = Territory.objects.create(name="Pacific", kind="area", parent=region)
    region.parent = area
    with pytest.raises(ValidationError, match="make the tree a loop"):
        region.full_clean()
