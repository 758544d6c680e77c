"""A clean dry run is applied by one import only: a double click, or two admins at once, start
one apply run; the other is refused with the run that is applying the file."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from imports import services
from imports.services import ApplyRefused, import_run_apply, import_run_execute
from pipeline.models import Deal, ImportRun
from tests.imports.test_pages_and_api import CSV, upload


@pytest.fixture
def ops(client, admin_user, stages, rep, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client.force_login(admin_user)
    return client


def checked_run(write_csv, tmp_path, settings, user=None) -> ImportRun:
    settings.VAR_DIR = tmp_path
    folder = tmp_path / "imports"
    folder.mkdir(exist_ok=True)
    run = services.import_run_start(
        path=write_csv(CSV, "imports/opps.csv"), kind="deals", dry_run=True, user=user
    )
    import_run_execute(run=run)
    assert run.status == "valid"
    return run


def test_a_second_apply_is_refused_with_the_run_applying_the_file(
    stages, rep, admin_user, write_csv, tmp_path, settings
):
    checked = checked_run(write_csv, tmp_path, settings)

    first = import_run_apply(checked=checked, user=admin_user)
    with pytest.raises(ApplyRefused) as refused:
        import_run_apply(checked=checked, user=admin_user)

    assert str(refused.value) == f"This file is already being applied: import #{first.pk}."
    assert list(ImportRun.objects.filter(dry_run=False)) == [first]
    assert (first.status, first.applies, first.user) == ("queued", checked, admin_user)
    assert services.import_run_applied_by(checked) == first

    import_run_execute(run=first)
    with pytest.raises(
        ApplyRefused, match=rf"^This file was already applied: import #{first.pk}\.$"
    ):
        import_run_apply(checked=checked, user=admin_user)
    assert ImportRun.objects.filter(dry_run=False).count() == 1
    assert sorted(Deal.objects.values_list("external_id", flat=True)) == ["006A", "006B"]


def test_an_apply_that_failed_is_not_retried_from_its_dry_run(
    stages, rep, write_csv, tmp_path, settings
):
    checked = checked_run(write_csv, tmp_path, settings)
    first = import_run_apply(checked=checked)
    services.import_run_fail(run=first, message="The import stopped: disk full")

    with pytest.raises(ApplyRefused) as refused:
        import_run_apply(checked=checked)

    assert str(refused.value) == (
        f"This file was already applied once: import #{first.pk} (Failed: nothing changed). "
        "Upload it again to try once more."
    )
    assert ImportRun.objects.filter(dry_run=False).count() == 1


def test_only_a_clean_dry_run_is_applied(stages, rep, write_csv, tmp_path, settings):
    checked = checked_run(write_csv, tmp_path, settings)
    applied = import_run_apply(checked=checked)

    with pytest.raises(ApplyRefused, match="^Only a dry run without errors can be applied.$"):
        import_run_apply(checked=applied)


def test_a_double_click_on_apply_starts_one_run(
    ops, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(ops)
    checked = ImportRun.objects.get()
    url = reverse("imports:run-apply", args=[checked.pk])

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = ops.post(url)  # queued, not run yet: the worker has not picked it up
        second = ops.post(url)

    run = ImportRun.objects.get(dry_run=False)
    assert first.status_code == 302 and first.url == reverse("imports:run", args=[run.pk])
    assert second.status_code == 409
    assert second.content.decode() == f"This file is already being applied: import #{run.pk}."
    assert len(queued) == 1
    page = ops.get(reverse("imports:run", args=[checked.pk])).content.decode()
    assert f'Applied by <a href="/imports/{run.pk}/">import #{run.pk}</a> (Queued)' in page
    assert "Apply this import" not in page
    assert not Deal.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_applies_at_the_same_moment_import_once(
    stages, rep, admin_user, write_csv, tmp_path, settings, monkeypatch
):
    checked = checked_run(write_csv, tmp_path, settings)
    # Both applies pass the "already applied?" check, then meet here, inside their transaction,
    # just before they insert their run: the database decides which one claims the dry run.
    both_checked = threading.Barrier(2, timeout=20)
    summary = services.file_summary

    def summary_once_both_checked(path):
        both_checked.wait()
        return summary(path)

    monkeypatch.setattr(services, "file_summary", summary_once_both_checked)
    outcomes: list = []

    def apply() -> None:
        try:
            run = import_run_apply(checked=checked, user=admin_user)
        except ApplyRefused as refused:
            outcomes.append(str(refused))
        else:
            outcomes.append(run)
            import_run_execute(run=run)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    run = ImportRun.objects.get(dry_run=False)
    assert sorted(outcomes, key=str) == sorted(
        [run, f"This file is already being applied: import #{run.pk}."], key=str
    )
    assert (run.status, run.applies_id, run.created) == ("applied", checked.pk, 2)
    assert sorted(Deal.objects.values_list("external_id", flat=True)) == ["006A", "006B"]
