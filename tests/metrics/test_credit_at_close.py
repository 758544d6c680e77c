"""A closed deal counts for the owner who closed it, in every figure, after any reassignment."""

from datetime import date
from decimal import Decimal

import pytest

import access
from compensation.selectors import credited_deals
from core.periods import Period
from forecasting.backtest import monthly_revenue
from metrics.scope import Scope
from metrics.service import kpi_panel
from pipeline.models import Deal
from quotas.models import Quota
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

FEBRUARY = Period(date(2026, 2, 1), date(2026, 3, 1))
TODAY = date(2026, 3, 20)


@pytest.fixture
def handed_over(stages, rep, other_rep):
    """Rita wins 1,000 and loses 400 in February and has 250 open; in March all three deals are
    handed to Olga, who won 300 herself in February."""
    feb = {"created_on": date(2026, 1, 10), "closed_on": date(2026, 2, 12)}
    won = DealFactory(owner=rep, stage=stages["Won"], amount=Decimal(1000), **feb)
    lost = DealFactory(owner=rep, stage=stages["Lost"], amount=Decimal(400), **feb)
    still_open = DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal(250))
    DealFactory(owner=other_rep, stage=stages["Won"], amount=Decimal(300), **feb)
    Quota.objects.create(
        rep=rep, period="month", start=FEBRUARY.start, metric="bookings", amount=Decimal(2000)
    )
    for deal in (won, lost, still_open):
        deal.owner = other_rep
        deal.save()
    return won, lost, still_open


def by_rep(period: Period = FEBRUARY) -> dict:
    panel = kpi_panel(Scope.everything(), period, "rep", today=TODAY)
    return {g.key: g.values for g in panel.groups}


def test_february_stays_with_the_rep_who_closed_it(handed_over):
    rita, olga = by_rep()["Rita Rep"], by_rep()["Olga Rep"]
    assert (rita["revenue"], rita["deals_won"], rita["deals_lost"]) == (1000, 1, 1)
    assert rita["win_rate"] == Decimal("0.5")
    assert rita["quota_attainment"] == Decimal("0.5")
    assert (olga["revenue"], olga["deals_won"], olga["deals_lost"]) == (300, 1, 0)


def test_the_open_deal_moves_with_its_new_owner(handed_over):
    rows = by_rep()
    assert (rows["Olga Rep"]["pipeline_amount"], rows["Rita Rep"]["pipeline_amount"]) == (250, 0)


def test_each_rep_sees_what_is_credited_to_them(handed_over, rep, other_rep):
    won, lost, still_open = handed_over
    assert set(access.visible_deals(rep)) == {won, lost}
    assert still_open in access.visible_deals(other_rep)
    assert won not in access.visible_deals(other_rep)
    own = kpi_panel(access.visible_scope(rep), FEBRUARY, today=TODAY).total
    assert (own["revenue"], own["deals_won"], own["pipeline_amount"]) == (1000, 1, 0)
    narrowed = kpi_panel(Scope.everything().narrow(rep=other_rep), FEBRUARY, today=TODAY).total
    assert narrowed["revenue"] == 300


def test_managers_and_teams_count_the_closer(handed_over):
    for by, first, second in (
        ("manager", "Mia Manager", "Otto Other"),
        ("team", "Mia's team", "Otto's team"),
    ):
        panel = kpi_panel(Scope.everything(), FEBRUARY, by, today=TODAY)
        revenue = {g.key: g.values["revenue"] for g in panel.groups}
        assert (revenue[first], revenue[second]) == (1000, 300)


def test_pay_and_forecast_actuals_follow_the_closer(handed_over, rep, other_rep):
    paid = credited_deals(FEBRUARY)
    assert [deal.amount for deal in paid[rep.pk]] == [Decimal(1000)]
    assert [deal.amount for deal in paid[other_rep.pk]] == [Decimal(300)]
    history = monthly_revenue()
    assert history["rep", str(rep.pk)][FEBRUARY.start] == 1000.0
    assert history["rep", str(other_rep.pk)][FEBRUARY.start] == 300.0


def test_the_closer_is_kept_on_every_write_path(handed_over, rep, other_rep):
    won = handed_over[0]
    Deal.objects.filter(pk=won.pk).update(owner=other_rep)
    Deal.objects.bulk_update([Deal.objects.get(pk=won.pk)], ["owner"])
    assert Deal.objects.get(pk=won.pk).closed_owner == rep
