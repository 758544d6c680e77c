"""Bulk quota entry: a period's quotas set from a grid or a CSV file, all or nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from org.models import AuditEntry
from quotas.models import Quota
from quotas.services import QuotaEntry, QuotaRowsInvalid, quotas_import_csv, quotas_set
from territories.models import Territory
from tests.quotas.conftest import FEB, JAN

pytestmark = pytest.mark.django_db
D = Decimal


def amounts() -> dict[str, Decimal]:
    return {str(q.assignee): q.amount for q in Quota.objects.all()}


def test_a_csv_file_sets_rep_team_and_territory_quotas(team, members):
    Territory.objects.create(name="West", kind="region")
    text = (
        "assignee_type,assignee,amount\n"
        "rep,adams,120000\n"
        'rep,baker,"1,000.50"\n'
        "team,Mia's team,300000\n"
        "territory,West,500000.00\n"
    )

    saved = quotas_import_csv(kind="quarter", start=JAN, metric="bookings", text=text)

    assert len(saved) == 4
    assert amounts() == {"Al Adams": D(120000), "Bo Baker": D("1000.50"),
                         "Mia's team": D(300000), "West": D(500000)}  # fmt: skip
    assert {q.period for q in saved} == {"quarter"}


def test_a_file_with_any_bad_row_saves_nothing_and_names_every_bad_row(team, members):
    text = (
        "assignee_type,assignee,amount\n"
        "rep,adams,120000\n"  # fine
        "rep,nobody,5\n"
        "rep,baker,lots\n"
        "manager,baker,5\n"
        "rep,adams,7\n"
        "rep,rep,-5\n"
        "rep,baker,1.005\n"
    )

    with pytest.raises(QuotaRowsInvalid) as raised:
        quotas_import_csv(kind="quarter", start=JAN, metric="bookings", text=text)

    assert [number for number, _ in raised.value.rows] == [3, 4, 5, 6, 7, 8]
    messages = dict(raised.value.rows)
    assert messages[3] == "No rep named 'nobody'."
    assert messages[4] == "Amount 'lots' is not a number."
    assert messages[6] == "Al Adams is already on row 2."
    assert messages[7] == "Rita Rep: A quota is an amount in cents, not negative."
    assert messages[8] == "Bo Baker: Ensure that there are no more than 2 decimal places."
    assert not Quota.objects.exists()
    assert not AuditEntry.objects.filter(model="quotas.Quota").exists()


def test_a_file_needs_the_header_and_rows(db):
    with pytest.raises(QuotaRowsInvalid, match="Row 1: The header is"):
        quotas_import_csv(kind="month", start=JAN, metric="bookings", text="rep,amount\nx,1\n")
    with pytest.raises(QuotaRowsInvalid, match="no quota rows"):
        quotas_import_csv(kind="month", start=JAN, metric="bookings",
                          text="assignee_type,assignee,amount\n")  # fmt: skip


def test_a_period_must_start_where_it_starts(members):
    with pytest.raises(ValidationError, match="does not start a fiscal quarter"):
        quotas_set(kind="quarter", start=FEB, metric="bookings",
                   entries=[QuotaEntry(members[0], D(1))])  # fmt: skip


def test_setting_the_grid_again_changes_amounts_in_place_and_audits_each(members):
    adams, baker, _ = members
    quotas_set(kind="month", start=JAN, metric="bookings",
               entries=[QuotaEntry(adams, D(100)), QuotaEntry(baker, D(200))])  # fmt: skip

    quotas_set(kind="month", start=JAN, metric="bookings",
               entries=[QuotaEntry(adams, D(100)), QuotaEntry(baker, D(250))])  # fmt: skip

    assert amounts() == {"Al Adams": D(100), "Bo Baker": D(250)}
    updated = AuditEntry.objects.get(model="quotas.Quota", action="updated")
    assert updated.changes == {"amount": ["200.00", "250.00"]}


def test_the_api_sets_a_periods_quotas_for_admins_only(team, members, admin_user, manager):
    body = {"period": "month", "start": "2026-01-01", "metric": "bookings", "rows": [
        {"assignee_type": "rep", "assignee": "adams", "amount": "100"},
        {"assignee_type": "team", "assignee": "Mia's team", "amount": "250.50"},
    ]}  # fmt: skip
    bad = {**body, "rows": [*body["rows"], {"assignee_type": "rep", "assignee": "zed",
                                           "amount": "1"}]}  # fmt: skip
    admin, boss = APIClient(), APIClient()
    admin.force_authenticate(admin_user)
    boss.force_authenticate(manager)

    refused = admin.post("/api/v1/quotas/bulk/", bad, format="json")
    forbidden = boss.post("/api/v1/quotas/bulk/", body, format="json")
    assert not Quota.objects.exists()
    saved = admin.post("/api/v1/quotas/bulk/", body, format="json")

    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["Row 3: No rep named 'zed'."]}
    assert forbidden.status_code == 403
    assert saved.status_code == 200
    assert [(q["rep"], q["team"], q["amount"]) for q in saved.json()] == [
        (members[0].pk, None, "100.00"), (None, team.pk, "250.50"),
    ]  # fmt: skip
