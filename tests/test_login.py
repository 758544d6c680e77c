from datetime import date
from decimal import Decimal

import pytest
from axes.models import AccessAttempt

from org.models import AuditEntry
from quotas.models import Quota
from territories.models import Territory

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_sign_in_lands_on_home_and_shows_the_users_scope(client, rep):
    response = sign_in(client, "rep", "pw")
    assert (response.status_code, response["Location"]) == (302, "/")
    page = client.get("/", follow=True)  # home is the role's dashboard
    assert page.redirect_chain == [("/dashboards/rep/", 302)]
    assert "Rita Rep · Sales rep" in page.content.decode()


def test_wrong_password_says_so_without_saying_which_part(client, rep):
    response = sign_in(client, "rep", "nope")
    assert response.status_code == 200
    assert "That username and password do not match" in response.content.decode()


def test_lockout_after_the_configured_number_of_failures(client, rep, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "rep", "wrong").status_code == 200
    locked = sign_in(client, "rep", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password is refused while locked out.
    assert sign_in(client, "rep", "pw").status_code == 429
    # The refused attempt while locked counts too.
    assert AccessAttempt.objects.get(username="rep").failures_since_start == 6


def test_one_failure_less_than_the_limit_still_lets_the_right_password_in(client, rep, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "rep", "wrong")
    assert sign_in(client, "rep", "pw").status_code == 302


def test_audit_log_records_who_changed_what_from_what(client, admin_user, rep):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    quota = Quota.objects.create(
        rep=rep, period="month", start=date(2026, 4, 1), metric="bookings", amount=Decimal("5000")
    )
    response = client.post(
        f"/admin/quotas/quota/{quota.pk}/change/",
        {
            "rep": rep.pk,
            "period": "month",
            "start": "2026-04-01",
            "metric": "bookings",
            "amount": "6500.00",
            "currency": "USD",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(model="quotas.Quota", action="updated").get()
    assert (entry.actor, entry.changes) == (admin_user, {"amount": ["5000.00", "6500.00"]})
    created = AuditEntry.objects.get(model="quotas.Quota", action="created")
    assert created.actor is None and created.changes["amount"] == [None, "5000.00"]


def test_role_and_territory_changes_are_audited(rep, manager):
    rep.role = "manager"
    rep.save()
    region = Territory.objects.create(name="West", kind="region")
    region.delete()
    rows = list(AuditEntry.objects.order_by("id").values_list("model", "action", "changes"))
    assert rows[-3:] == [
        ("org.User", "updated", {"role": ["rep", "manager"]}),
        ("territories.Territory", "created", {"kind": [None, "region"], "name": [None, "West"]}),
        ("territories.Territory", "deleted", {"kind": ["region", None], "name": ["West", None]}),
    ]
