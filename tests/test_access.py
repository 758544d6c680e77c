"""The access layer: each role sees exactly its scope, computed afresh on every call."""

from datetime import date
from decimal import Decimal

import pytest

import access
from pipeline.models import Activity, Deal
from quotas.models import Quota
from tests.factories import AccountFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(stages, rep, other_rep, manager, admin_user):
    deep = UserFactory(username="deep", manager=rep, first_name="Dee", last_name="Deep")
    deals = {
        who.username: DealFactory(owner=who, stage=stages["Prospecting"], account=AccountFactory())
        for who in (rep, other_rep, deep, manager)
    }
    for who in (rep, other_rep):
        Activity.objects.create(rep=who, kind="call", occurred_at="2026-03-02T10:00:00Z")
        Quota.objects.create(
            rep=who,
            period="month",
            start=date(2026, 3, 1),
            metric="bookings",
            amount=Decimal("1000"),
        )
    Quota.objects.create(
        team=rep.team,
        period="quarter",
        start=date(2026, 1, 1),
        metric="bookings",
        amount=Decimal("9000"),
    )
    return deals


def owners(queryset) -> set[str]:
    return set(queryset.values_list("owner__username", flat=True))


def test_rep_sees_only_their_own_deals_accounts_activities_and_quotas(world, rep):
    assert owners(access.visible_deals(rep)) == {"rep"}
    assert list(access.visible_accounts(rep)) == [world["rep"].account]
    assert set(access.visible_activities(rep).values_list("rep__username", flat=True)) == {"rep"}
    quotas = {(q.rep_id, q.team_id) for q in access.visible_quotas(rep)}
    assert quotas == {(rep.pk, None), (None, rep.team_id)}


def test_manager_sees_their_whole_reporting_tree(world, manager):
    assert owners(access.visible_deals(manager)) == {"rep", "deep", "manager"}
    assert "other_rep" not in set(access.visible_people(manager).values_list("username", flat=True))


@pytest.mark.parametrize("who", ["executive", "admin_user"])
def test_executives_and_admins_see_everything(world, who, request):
    user = request.getfixturevalue(who)
    assert access.visible_deals(user).count() == Deal.objects.count() == 4
    assert access.visible_quotas(user).count() == 3


def test_a_changed_role_or_manager_takes_effect_at_the_next_call(world, rep, other_manager):
    rep.manager = other_manager
    rep.save()
    assert owners(access.visible_deals(other_manager)) == {"other_rep", "rep", "deep"}
    rep.role = "executive"
    rep.save()
    assert access.visible_deals(rep).count() == 4


def test_inactive_and_anonymous_users_see_nothing(world, rep):
    from django.contrib.auth.models import AnonymousUser

    rep.is_active = False
    assert access.visible_deals(rep).count() == 0
    assert access.visible_deals(AnonymousUser()).count() == 0


def test_who_may_edit_deals(world, rep, manager, executive, admin_user, other_rep):
    mine, theirs = world["rep"], world["other_rep"]
    assert access.can_edit_deal(rep, mine) and not access.can_edit_deal(rep, theirs)
    assert access.can_edit_deal(manager, mine) and not access.can_edit_deal(manager, theirs)
    assert not access.can_edit_deal(executive, mine)
    assert access.can_edit_deal(admin_user, theirs)
    assert access.can_log_activity_for(manager, rep)
    assert not access.can_log_activity_for(rep, other_rep)


def test_only_admins_manage_the_org(rep, manager, executive, admin_user):
    allowed = [
        u.username for u in (rep, manager, executive, admin_user) if access.can_manage_org(u)
    ]
    assert allowed == ["ops"]
