"""Deleting what history or plans name is refused with a 409 that counts what holds it; a delete
that nothing depends on goes through and is audited."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from org.audit import audit_as, audit_write
from org.models import AuditEntry, Role, Team
from org.services import api_token_create
from quotas.models import Quota
from territories.models import Territory
from tests.factories import DealFactory, TeamFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db
Q1 = date(2026, 1, 1)


def api(user) -> APIClient:
    """Signed in with a token, as a script would be, so the audit log knows who it was."""
    _, key = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def quota(start: date = Q1, **assignee) -> Quota:
    return Quota.objects.create(period="quarter", start=start, metric="bookings", amount=1000,
                                **assignee)  # fmt: skip


def test_a_team_with_quotas_and_history_is_not_deleted(admin_user, rep):
    team = rep.team
    quota(team=team)
    quota(team=team, start=date(2026, 4, 1))

    response = api(admin_user).delete(f"/api/v1/teams/{team.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This team is still in use by 2 quotas and 1 reporting line: "
        "remove or move those first."
    }
    assert Team.objects.filter(pk=team.pk).exists() and Quota.objects.count() == 2
    assert not AuditEntry.objects.filter(action="deleted").exists()


def test_a_territory_a_closed_deal_was_credited_to_is_kept(admin_user, rep, stages):
    territory = TerritoryFactory(name="Nordics")
    deal = DealFactory(owner=rep, territory=territory, stage=stages["Won"],
                       closed_on=date(2026, 11, 2))  # fmt: skip
    assert deal.closed_territory == territory

    response = api(admin_user).delete(f"/api/v1/territories/{territory.pk}/")

    assert response.status_code == 409
    assert "still in use by" in response.json()["detail"]
    assert Territory.objects.filter(pk=territory.pk).exists()


def test_a_rep_with_a_quota_is_not_deleted(admin_user, rep):
    quota(rep=rep)

    response = api(admin_user).delete(f"/api/v1/users/{rep.pk}/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "This user is still in use by 1 quota: remove or move those first."
    )


def test_an_unused_team_is_deleted_and_audited(admin_user):
    team = TeamFactory(name="Spare")
    territory = TerritoryFactory(name="Unused")
    quota(territory=territory)

    assert api(admin_user).delete(f"/api/v1/teams/{team.pk}/").status_code == 204
    assert api(admin_user).delete(f"/api/v1/quotas/{Quota.objects.get().pk}/").status_code == 204
    assert api(admin_user).delete(f"/api/v1/territories/{territory.pk}/").status_code == 204

    assert not Team.objects.filter(pk=team.pk).exists()
    deleted = AuditEntry.objects.filter(action="deleted")
    assert sorted(deleted.values_list("model", "actor__username")) == [
        ("org.Team", "ops"),
        ("quotas.Quota", "ops"),
        ("territories.Territory", "ops"),
    ]


@pytest.mark.django_db(transaction=True)  # the foreign keys are checked at commit
def test_an_admin_cannot_delete_themselves_but_another_admin_can(admin_user):
    other = UserFactory(username="ops2", role=Role.ADMIN)

    refused = api(admin_user).delete(f"/api/v1/users/{admin_user.pk}/")
    deleted = api(other).delete(f"/api/v1/users/{admin_user.pk}/")

    assert refused.status_code == 409
    assert refused.json() == {"detail": "You cannot delete your own account: ask another admin."}
    assert deleted.status_code == 204
    entry = AuditEntry.objects.get(model="org.User", action="deleted")
    assert (entry.object_repr, entry.actor) == ("Ada Ops", other)


@pytest.mark.django_db(transaction=True)
def test_a_person_deleting_their_own_row_leaves_an_entry_without_an_actor(admin_user):
    with audit_as(admin_user):
        admin_user.delete()
    entry = AuditEntry.objects.get(model="org.User", action="deleted")
    assert entry.actor is None and entry.changes["role"] == ["admin", None]


def test_an_entry_names_an_object_whose_parent_is_already_gone():
    orphan = Quota(pk=7, team_id=999_999, period="quarter", start=Q1, metric="bookings", amount=1)
    audit_write(orphan, "deleted", {"amount": "1.00"}, None)
    assert AuditEntry.objects.get().object_repr == "quota 7"
