"""Reporting lines have dates: a rep who moves to another manager takes no history along."""

from datetime import date
from decimal import Decimal

import pytest

import access
from core.periods import Period, local_midnight
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


EARLY_NOVEMBER = date(2026, 11, 10)


def move_by_api(admin_user, rep, manager, **extra):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(admin_user)
    change = {"manager": manager.pk, "team": manager.managed_teams.get().pk, **extra}
    return client.patch(f"/api/v1/users/{rep.pk}/", change, format="json")


def test_a_move_by_the_api_takes_effect_from_the_date_given(
    stages, rep, manager, other_manager, admin_user
):
    """Rita wins 1,000 on 5 November under Mia, then an admin records on 2 December that she
    has reported to Otto since 10 November. Her 5 November deal stays Mia's; the 300 she has
    open counts for Otto from 10 November."""
    reporting_lines_sync([rep], date(2026, 1, 1))
    won(rep, stages, 1000, date(2026, 11, 5))
    opened = DealFactory.build(owner=rep, stage=stages["Proposal"], amount=Decimal(300),
                               created_on=date(2026, 11, 1))  # fmt: skip
    opened.save(changed_at=local_midnight(date(2026, 11, 1)))

    answer = move_by_api(admin_user, rep, other_manager, effective_from="2026-11-10")

    assert answer.status_code == 200, answer.content
    assert "effective_from" not in answer.json()
    lines = ReportingLine.objects.filter(person=rep)  # oldest first, on every database
    assert [(line.start, line.end, line.manager) for line in lines] == [
        (None, EARLY_NOVEMBER, manager),
        (EARLY_NOVEMBER, None, other_manager),
    ]
    november = Period(date(2026, 11, 1), date(2026, 12, 1))
    panel = kpi_panel(Scope.everything(), november, "manager", as_of=date(2026, 11, 15))
    by_manager = {g.key: (g.values["revenue"], g.values["pipeline_amount"]) for g in panel.groups}
    assert by_manager == {"Mia Manager": (1000, 0), "Otto Other": (0, 300)}


@pytest.mark.parametrize(
    ("effective_from", "why"),
    [
        ("2026-12-03", "2026-12-03 is in the future: make the change on that day."),
        (
            "2026-05-31",
            "Rita Rep's current reporting line starts on 2026-06-01: a change cannot take "
            "effect before it.",
        ),
        ("2026-11-31", "Date has wrong format."),
    ],
)
def test_an_effective_date_that_cannot_be_is_refused(
    rep, other_manager, admin_user, effective_from, why
):
    reporting_lines_sync([rep], date(2026, 1, 1))
    User.objects.filter(pk=rep.pk).update(manager=None)
    reporting_lines_sync([User.objects.get(pk=rep.pk)], date(2026, 6, 1))

    answer = move_by_api(admin_user, rep, other_manager, effective_from=effective_from)

    assert answer.status_code == 400
    assert answer.json()["effective_from"][0].startswith(why.split(" Use")[0])
    assert User.objects.get(pk=rep.pk).manager is None
    assert ReportingLine.objects.filter(person=rep).count() == 2


def test_the_admin_site_takes_an_effective_date(client, rep, manager, other_manager, admin_user):
    reporting_lines_sync([rep], date(2026, 1, 1))
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    url = f"/admin/org/user/{rep.pk}/change/"
    form = {
        "username": "rep", "first_name": "Rita", "last_name": "Rep", "role": "rep",
        "manager": other_manager.pk, "team": other_manager.managed_teams.get().pk,
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
        "effective_from": "2026-11-20",
    }  # fmt: skip

    answer = client.post(url, form)

    assert answer.status_code == 302, answer.content.decode()[:2000]
    current = ReportingLine.objects.get(person=rep, end__isnull=True)
    assert (current.start, current.manager) == (date(2026, 11, 20), other_manager)
    future = client.post(url, {**form, "manager": manager.pk, "effective_from": "2027-01-01"})
    assert "2027-01-01 is in the future" in future.content.decode()
