"""The upload page (upload -> dry run -> apply), its status JSON, the API log and the command."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from imports.uploads import uploads_sweep
from pipeline.models import Deal, ImportRun

CSV = (
    "Opportunity ID,Opportunity Owner,Stage,Amount,Created Date,Close Date\n"
    "006A,rep,Won,900,2026-01-02,2026-02-01\n"
    "006B,rep,Proposal,300,2026-01-03,2026-03-31\n"
)


def upload(client, content: str = CSV):
    data = {"file": io.BytesIO(content.encode()), "mapping": "", "kind": "deals"}
    data["file"].name = "opps.csv"
    return client.post(reverse("imports:upload"), data)


@pytest.fixture
def ops(client, admin_user, stages, rep, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client.force_login(admin_user)
    return client


def test_upload_checks_then_apply_imports(ops, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ops)
    checked = ImportRun.objects.get()
    assert response.url == reverse("imports:run", args=[checked.pk])
    assert (checked.status, checked.created, checked.user, checked.dry_run) == (
        "valid",
        2,
        admin_user,
        True,
    )
    assert not Deal.objects.exists()
    page = ops.get(response.url)
    assert b"Apply this import" in page.content and b"Would create" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        applied = ops.post(reverse("imports:run-apply", args=[checked.pk]))

    run = ImportRun.objects.get(dry_run=False)
    assert applied.url == reverse("imports:run", args=[run.pk])
    assert (run.status, run.created, run.sha256) == ("applied", 2, checked.sha256)
    assert Deal.objects.count() == 2
    status = ops.get(reverse("imports:run-status", args=[run.pk])).json()
    assert status == {
        "status": "applied",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "error_count": 0,
        "rows": 2,
        "total_rows": 2,
        "percent": 100,
        "status_label": "Applied",
        "done": True,
    }


def test_a_file_with_errors_shows_them_and_cannot_be_applied(
    ops, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(ops, CSV + "006C,rep,Nowhere,1,2026-01-04,\n")
    run = ImportRun.objects.get()

    page = ops.get(reverse("imports:run", args=[run.pk]))

    assert run.status == "invalid" and b"Apply this import" not in page.content
    assert b"No stage has this name." in page.content
    assert ops.post(reverse("imports:run-apply", args=[run.pk])).status_code == 409
    assert not Deal.objects.exists()


def uploaded(tmp_path) -> list[str]:
    return [path.name for path in (tmp_path / "imports").glob("*")]


def test_an_upload_is_kept_for_the_apply_then_deleted(
    ops, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(ops)
    checked = ImportRun.objects.get()
    assert uploaded(tmp_path) == [Path(checked.source_path).name]

    with django_capture_on_commit_callbacks(execute=True):
        ops.post(reverse("imports:run-apply", args=[checked.pk]))

    run = ImportRun.objects.get(dry_run=False)
    assert run.status == "applied"
    assert uploaded(tmp_path) == []
    again = ops.post(reverse("imports:run-apply", args=[checked.pk]))
    assert again.status_code == 409
    assert again.content.decode() == f"This file was already applied: import #{run.pk}."


def test_an_upload_with_errors_is_deleted(ops, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(ops, CSV + "006C,rep,Nowhere,1,2026-01-04,\n")

    assert ImportRun.objects.get().status == "invalid"
    assert uploaded(tmp_path) == []


def test_an_upload_whose_import_crashed_is_deleted(
    ops, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import DatabaseError

    from imports.bulk.staging import Staging
    from imports.job import Job

    def crash(*args):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Job, "link", crash)
    monkeypatch.setattr(Staging, "write", crash)  # the set-based path, on PostgreSQL

    with pytest.raises(DatabaseError), django_capture_on_commit_callbacks(execute=True):
        upload(ops)

    assert ImportRun.objects.get().status == "failed"
    assert uploaded(tmp_path) == []


def test_a_file_imported_from_the_command_line_is_never_deleted(
    stages, rep, settings, tmp_path, write_csv
):
    settings.VAR_DIR = tmp_path
    checked, applied = write_csv(CSV, "checked.csv"), write_csv(CSV + "006C,x\n", "bad.csv")

    call_command("import_crm", str(checked), "--kind", "deals", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_crm", str(applied), "--kind", "deals", stdout=io.StringIO())

    assert checked.exists() and applied.exists()


@pytest.mark.parametrize("who", ["rep", "manager", "executive"])
def test_only_sales_operations_imports(client, request, who, ops):
    run = ImportRun.objects.create(
        file_name="x.csv", sha256="0" * 64, source_path="/x", kind="deals"
    )
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("imports:upload")).status_code == 403
    assert client.get(reverse("imports:run-status", args=[run.pk])).status_code == 403
    assert client.get(reverse("api:import-list")).status_code == 403
    assert client.get(reverse("api:import-detail", args=[run.pk])).status_code == 403


def test_api_lists_the_import_log(ops, admin_user):
    run = ImportRun.objects.create(
        user=admin_user, file_name="x.csv", sha256="a" * 64, source_path="/x", kind="deals",
        status="invalid", error_count=1,
        errors=[{"line": 3, "column": "stage", "value": "Nope", "message": "No stage."}],
    )  # fmt: skip

    listed = ops.get(reverse("api:import-list")).json()["results"]
    detail = ops.get(reverse("api:import-detail", args=[run.pk])).json()

    assert [row["id"] for row in listed] == [run.pk]
    assert (detail["user"], detail["sha256"], detail["errors"][0]["line"]) == ("ops", "a" * 64, 3)


def test_command_imports_and_logs(stages, rep, write_csv):
    path = write_csv(CSV)
    out, err = io.StringIO(), io.StringIO()

    call_command("import_crm", str(path), "--kind", "deals", "--dry-run", stdout=out, stderr=err)
    call_command(
        "import_crm", str(path), "--kind", "deals", "--user", "rep", stdout=out, stderr=err
    )

    assert "2 rows, 2 created, 0 updated, 0 unchanged." in out.getvalue()
    assert "Nothing was changed (dry run)." in out.getvalue()
    assert "2 rows read, 0 errors" in err.getvalue()
    runs = ImportRun.objects.order_by("id")
    assert [(r.dry_run, r.status, r.user_id) for r in runs] == [
        (True, "valid", None),
        (False, "applied", rep.pk),
    ]
    assert Deal.objects.count() == 2


def test_command_fails_on_errors_and_changes_nothing(stages, rep, write_csv):
    path = write_csv(CSV + "006C,rep,Won,-1,2026-01-04,2026-01-05\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 errors: nothing was changed"):
        call_command("import_crm", str(path), "--kind", "deals", stdout=io.StringIO(), stderr=err)

    assert (
        "line 4, column 'Amount' (value '-1'): A deal amount cannot be negative." in err.getvalue()
    )
    assert not Deal.objects.exists()
    assert ImportRun.objects.get().status == "invalid"


def test_a_dry_run_never_applied_loses_its_file_after_a_week(
    ops, tmp_path, django_capture_on_commit_callbacks, now
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(ops)
        upload(ops)
    old, recent = ImportRun.objects.order_by("pk")
    ImportRun.objects.filter(pk=old.pk).update(started_at=now - timedelta(days=8))
    assert uploads_sweep() == 1
    assert uploaded(tmp_path) == [Path(recent.source_path).name]
    assert uploads_sweep() == 0
    again = ops.post(reverse("imports:run-apply", args=[old.pk]))
    assert again.status_code == 409 and b"upload it again" in again.content
