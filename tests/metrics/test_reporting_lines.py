"""Reporting lines have dates: a rep who moves to another manager takes no history along."""

from datetime import date
from decimal import Decimal

import pytest

import access
from core.periods import Period
from metrics.scope import Scope
from metrics.service import kpi_panel
from org.models import ReportingLine, User
from org.services import reporting_lines_sync
from tests.clock import TODAY
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

Q1 = Period(date(2026, 1, 1), date(2026, 4, 1))
MOVED_ON = date(2026, 3, 1)


def won(rep, stages, amount: int, closed_on: date):
    return DealFactory(
        owner=rep,
        stage=stages["Won"],
        amount=Decimal(amount),
        created_on=date(2026, 1, 5),
        closed_on=closed_on,
    )


@pytest.fixture
def moved(stages, rep, manager, other_manager):
    """Rita wins 1,000 under Mia in February, moves to Otto's team on 1 March (as a people
    file re-imported with that effective date records it), wins 200 there, and has 300 open."""
    won(rep, stages, 1000, date(2026, 2, 12))
    User.objects.filter(pk=rep.pk).update(
        manager=other_manager, team=other_manager.managed_teams.get()
    )
    rep.refresh_from_db()
    reporting_lines_sync([rep], MOVED_ON)
    won(rep, stages, 200, date(2026, 3, 10))
    DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal(300))
    return rep


def revenue(by: str) -> dict:
    return {g.key: g.values["revenue"] for g in kpi_panel(Scope.everything(), Q1, by).groups}


def test_the_history_says_who_the_rep_reported_to_when(moved, manager, other_manager):
    lines = ReportingLine.objects.filter(person=moved)
    assert [(line.manager, line.start, line.end) for line in lines] == [
        (manager, None, MOVED_ON),
        (other_manager, MOVED_ON, None),
    ]


def test_each_manager_and_team_keeps_the_quarter_as_it_stood(moved):
    assert revenue("manager") == {"Mia Manager": 1000, "Otto Other": 200}
    assert revenue("team") == {"Mia's team": 1000, "Otto's team": 200}


def test_a_manager_s_scope_keeps_the_deals_closed_under_them(moved, manager, other_manager):
    mia = kpi_panel(access.visible_scope(manager), Q1).total
    otto = kpi_panel(access.visible_scope(other_manager), Q1).total
    assert (mia["revenue"], mia["pipeline_amount"]) == (1000, 0)
    assert (otto["revenue"], otto["pipeline_amount"]) == (200, 300)
    narrowed = kpi_panel(Scope.everything().narrow(manager=manager), Q1).total
    team = kpi_panel(Scope.everything().narrow(team=manager.managed_teams.get()), Q1).total
    assert (narrowed["revenue"], team["revenue"]) == (1000, 1000)


def test_a_change_saved_today_takes_effect_from_today(rep, manager, other_manager):
    rep.manager = other_manager
    rep.save()
    rep.title = "Senior rep"
    rep.save(update_fields=["title"])
    lines = ReportingLine.objects.filter(person=rep)
    assert [(line.manager, line.start) for line in lines] == [
        (manager, None),
        (other_manager, TODAY),
    ]
