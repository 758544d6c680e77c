from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client

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
    assert "the lock lasts 1 hour after the last attempt" in locked.content.decode()
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


def test_one_address_is_locked_out_across_accounts(client, settings, rep, other_rep, manager):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8  # each account stays below its own limit of 5
    names = ["rep", "other_rep", "manager", "nobody"]
    for attempt in range(7):
        assert sign_in(client, names[attempt % 4], "wrong").status_code == 200
    assert sign_in(client, "manager", "wrong").status_code == 429
    assert sign_in(client, "other_rep", "pw").status_code == 429  # the right password too
    # Another address may still sign in to the same accounts.
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), "other_rep", "pw").status_code == 302


def test_an_account_is_locked_out_from_every_address(rep, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(REMOTE_ADDR=f"10.0.1.{number}"), "rep", "wrong")
    assert sign_in(Client(REMOTE_ADDR="10.0.2.1"), "rep", "pw").status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.0.2.1"), "other_rep", "pw").status_code == 200


def test_a_success_does_not_wipe_an_addresss_failures(client, settings, rep, other_rep):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for _ in range(3):
        sign_in(client, "rep", "wrong")
    assert sign_in(client, "other_rep", "pw").status_code == 302  # one good account of its own
    client.logout()
    for _ in range(3):
        sign_in(client, "rep", "wrong")
    assert sign_in(client, "other_rep", "pw").status_code == 429


def test_an_idle_session_ends_after_30_minutes_and_the_sign_in_page_says_why(client, rep, now):
    sign_in(client, "rep", "pw")
    with time_machine.travel(now + timedelta(minutes=29), tick=False):
        assert client.get("/dashboards/rep/").status_code == 200
    with time_machine.travel(now + timedelta(minutes=58), tick=False):
        assert client.get("/dashboards/rep/").status_code == 200  # 29 minutes since the last
    with time_machine.travel(now + timedelta(minutes=89), tick=False):
        page = client.get("/dashboards/rep/", follow=True)
    assert page.redirect_chain == [("/accounts/login/?next=/dashboards/rep/", 302)]
    assert "signed out after 30 minutes without activity" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_ends_12_hours_after_sign_in_however_busy(client, rep, now):
    sign_in(client, "rep", "pw")
    assert client.cookies["sessionid"]["max-age"] == 12 * 3600
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(now + timedelta(minutes=minutes), tick=False):
            assert client.get("/dashboards/rep/").status_code == 200, minutes
    with time_machine.travel(now + timedelta(hours=12, minutes=1), tick=False):
        page = client.get("/api/v1/deals/", follow=True)
    assert page.status_code == 401  # the API has no sign-in page to send anyone to
    with time_machine.travel(now + timedelta(hours=12, minutes=2), tick=False):
        assert "a session lasts 12 hours at most" in client.get("/accounts/login/").content.decode()


def test_the_idle_timeout_is_a_setting(client, rep, now, settings):
    settings.SESSION_IDLE_MINUTES = 5
    sign_in(client, "rep", "pw")
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        assert client.get("/dashboards/rep/").status_code == 302
