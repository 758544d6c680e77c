"""The open pipeline as of a past day, from deal history: reopened and re-amounted deals count as
they stood then, for the owner and the manager of that day."""

import json
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from core.periods import Period, end_of_day
from forecasting.build import facts_collect
from forecasting.probabilities import WinProbabilities
from metrics.scope import Scope
from metrics.service import kpi_panel
from org.models import User
from org.services import reporting_lines_sync
from pipeline.models import Deal
from quotas.models import Quota
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

STOCK = ("open_deals", "pipeline_amount", "weighted_pipeline")


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def change(deal: Deal, day: date, **fields) -> None:
    for name, value in fields.items():
        setattr(deal, name, value)
    deal.save(changed_at=at(day))


@pytest.fixture
def moving(stages, rep, other_rep, other_manager):
    """Rita opens 1,000 in Proposal (40 %) on 10 January, wins it on 5 February, reopens it in
    Negotiation (70 %) on 3 March and raises it to 1,200 on 10 March. She opens 500 in
    Negotiation on 15 January and hands it to Olga on 20 February. Olga opens 200 in
    Prospecting (10 %) on 20 January and loses it on 31 January. Rita moves from Mia to Otto
    on 15 February."""
    reopened = DealFactory.build(
        owner=rep, stage=stages["Proposal"], amount=Decimal(1000), created_on=date(2026, 1, 10),
        expected_close_on=date(2026, 3, 20),
    )  # fmt: skip
    change(reopened, date(2026, 1, 10))
    change(reopened, date(2026, 2, 5), stage=stages["Won"], closed_on=date(2026, 2, 5))
    change(reopened, date(2026, 3, 3), stage=stages["Negotiation"], closed_on=None)
    change(reopened, date(2026, 3, 10), amount=Decimal(1200))
    handed = DealFactory.build(
        owner=rep, stage=stages["Negotiation"], amount=Decimal(500), created_on=date(2026, 1, 15)
    )
    change(handed, date(2026, 1, 15))
    change(handed, date(2026, 2, 20), owner=other_rep)
    lost = DealFactory.build(
        owner=other_rep, stage=stages["Prospecting"], amount=Decimal(200),
        created_on=date(2026, 1, 20),
    )  # fmt: skip
    change(lost, date(2026, 1, 20))
    change(lost, date(2026, 1, 31), stage=stages["Lost"], closed_on=date(2026, 1, 31))
    reporting_lines_sync([rep], date(2026, 1, 1))
    User.objects.filter(pk=rep.pk).update(
        manager=other_manager, team=other_manager.managed_teams.get()
    )
    reporting_lines_sync([User.objects.get(pk=rep.pk)], date(2026, 2, 15))
    return reopened, handed, lost


def stock(as_of: date | None, by: str | None = None):
    panel = kpi_panel(Scope.everything(), by=by, as_of=as_of)
    if by is None:
        return tuple(panel.total[key] for key in STOCK)
    return {g.key: tuple(g.values[key] for key in STOCK) for g in panel.groups}


def test_the_pipeline_of_each_past_day(moving):
    assert stock(date(2026, 1, 9)) == (0, 0, 0)
    assert stock(date(2026, 1, 31)) == (2, Decimal(1500), Decimal(750))
    assert stock(date(2026, 2, 10)) == (1, Decimal(500), Decimal(350))
    assert stock(date(2026, 3, 5)) == (2, Decimal(1500), Decimal(1050))
    assert stock(None) == (2, Decimal(1700), Decimal(1190))


def test_each_past_day_by_owner_then(moving):
    assert stock(date(2026, 1, 31), "rep") == {
        "Rita Rep": (2, 1500, 750),
        "Olga Rep": (0, 0, 0),
    }
    assert stock(date(2026, 2, 25), "rep") == {
        "Rita Rep": (0, 0, 0),
        "Olga Rep": (1, 500, 350),
    }
    assert stock(date(2026, 3, 5), "rep") == {
        "Rita Rep": (1, 1000, 700),
        "Olga Rep": (1, 500, 350),
    }


def test_each_past_day_by_the_manager_of_that_day(moving):
    assert stock(date(2026, 2, 10), "manager") == {
        "Mia Manager": (1, 500, 350),
        "Otto Other": (0, 0, 0),
    }
    # Rita reports to Otto from 15 February: her reopened deal counts for him (Mia, who has
    # nobody now and nothing then, is not listed).
    assert stock(date(2026, 3, 5), "manager") == {"Otto Other": (2, 1500, 1050)}


def test_the_forecast_counts_a_later_reopened_deal_as_won_then(moving):
    """At the end of February the reopened deal was won (1,000 in February) whatever happened
    to it in March."""
    february_end = date(2026, 2, 28)
    facts = facts_collect(
        as_of=february_end, moment=end_of_day(february_end), probabilities=WinProbabilities()
    )
    february = [
        sums.closed
        for cell in facts.sums.values()
        for (kind, start), sums in cell.items()
        if (kind, start) == ("month", date(2026, 2, 1))
    ]
    assert sum(february) == Decimal(1000)
    history = {month: total for cell in facts.history.values() for month, total in cell.items()}
    assert history == {}  # nothing won before the current month (February)


def test_as_of_on_the_command_and_the_api(moving, admin_user, capsys):
    call_command("kpis", "--as-of", "2026-01-31", "--format", "json", "--kpi", ",".join(STOCK))
    assert json.loads(capsys.readouterr().out)["total"] == {
        "open_deals": 2,
        "pipeline_amount": 1500.0,
        "weighted_pipeline": 750.0,
    }
    client = APIClient()
    client.force_authenticate(admin_user)
    answer = client.get("/api/v1/kpis/", {"as_of": "2026-03-05", "kpi": "pipeline_amount"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["total"] == {"pipeline_amount": 1500.0}
    bad = client.get("/api/v1/kpis/", {"as_of": "2026-02-30"})
    assert bad.status_code == 400 and "as_of" in bad.json()


def test_coverage_as_of_uses_the_pipeline_then(moving, rep):
    """Coverage of March for Rita on 5 March: weighted pipeline expected to close in March over
    the quota left. Her reopened deal is expected on 20 March: 700 / 2,000 then, 840 now."""
    Quota.objects.create(
        rep=rep, period="month", start=date(2026, 3, 1), metric="bookings", amount=Decimal(2000)
    )
    march = Period(date(2026, 3, 1), date(2026, 4, 1))
    scope = Scope.everything().narrow(rep=rep)
    then = kpi_panel(scope, march, as_of=date(2026, 3, 5)).total["pipeline_coverage"]
    # The pipeline now, with what is due as seen on 5 March (by today it is overdue).
    now = kpi_panel(scope, march, today=date(2026, 3, 5)).total["pipeline_coverage"]
    assert then == Decimal(700) / Decimal(2000)
    assert now == Decimal(840) / Decimal(2000)


def test_an_amount_changed_after_close_counts_as_it_stood(stages, rep):
    """Won at 800 on 5 February, corrected to 900 on 12 March: the end of February saw 800
    won in February; the end of March sees 900 in February's history."""
    deal = DealFactory.build(
        owner=rep, stage=stages["Negotiation"], amount=Decimal(800), created_on=date(2026, 1, 8)
    )
    change(deal, date(2026, 1, 8))
    change(deal, date(2026, 2, 5), stage=stages["Won"], closed_on=date(2026, 2, 5))
    change(deal, date(2026, 3, 12), amount=Decimal(900))

    def facts(day: date):
        return facts_collect(as_of=day, moment=end_of_day(day), probabilities=WinProbabilities())

    february = facts(date(2026, 2, 28))
    closed = {key: s.closed for cell in february.sums.values() for key, s in cell.items()}
    assert closed == {("month", date(2026, 2, 1)): 800, ("quarter", date(2026, 1, 1)): 800}
    march = facts(date(2026, 3, 31))
    history = [months for months in march.history.values()]
    assert history == [{date(2026, 2, 1): Decimal(900)}]
