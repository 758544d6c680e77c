"""The import log in the Django admin: listed with who, when, which file and counts; read-only."""

import pytest
from django.urls import reverse

from pipeline.models import ImportRun


@pytest.fixture
def logged(admin_user):
    return ImportRun.objects.create(
        user=admin_user, file_name="opps-march.csv", sha256="c0ffee" + "0" * 58,
        source_path="/x", kind="deals", dry_run=False, status="applied",
        rows=7, created=4, updated=2, unchanged=1,
    )  # fmt: skip


def test_the_admin_lists_import_runs_with_their_counts(client, admin_user, logged):
    client.force_login(admin_user)

    response = client.get(reverse("admin:pipeline_importrun_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("opps-march.csv", "c0ffee" + "0" * 58, "deals", "Applied", "Ada Ops"):
        assert shown in page
    columns = response.context["cl"].list_display
    assert columns[1:] == (
        "user", "file_name", "sha256", "kind", "dry_run", "status",
        "rows", "created", "updated", "unchanged", "error_count",
    )  # fmt: skip


def test_an_import_run_cannot_be_added_changed_or_deleted_in_the_admin(client, admin_user, logged):
    client.force_login(admin_user)
    change = reverse("admin:pipeline_importrun_change", args=[logged.pk])

    page = client.get(change)
    edited = client.post(change, {"file_name": "edited.csv", "status": "queued"})

    assert page.status_code == 200 and b'name="file_name"' not in page.content
    assert edited.status_code == 403
    assert client.get(reverse("admin:pipeline_importrun_add")).status_code == 403
    delete = reverse("admin:pipeline_importrun_delete", args=[logged.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    logged.refresh_from_db()
    assert (logged.file_name, logged.status) == ("opps-march.csv", "applied")


def test_a_rep_does_not_see_the_import_log_in_the_admin(client, rep, logged):
    client.force_login(rep)

    response = client.get(reverse("admin:pipeline_importrun_changelist"))

    assert response.status_code in (302, 403)
