"""Background work started from a page or the API while the task queue is down: the person is
told what was and was not done (a 503), never shown a server error.

The requests run outside a transaction, as in production, so the task is sent before the answer.
"""

import io
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from compensation.models import Statement
from core.queue import QueueUnreachable, task_enqueue_on_commit
from forecasting.tasks import pipeline_snapshot_take
from pipeline.models import ImportRun, ImportStatus
from spm.celery import app
from tests.compensation.conftest import assign, make_plan, won_deal

pytestmark = pytest.mark.django_db(transaction=True)
UNREACHABLE = (
    "The task queue is unreachable: the import was saved but not started; try again shortly."
)
CSV = (
    "external_id,owner,stage,amount,created_on,close_date\nQ-1,rep,Won,900,2026-01-02,2026-02-01\n"
)


@pytest.fixture
def ops(client, admin_user, stages, rep, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client.force_login(admin_user)
    return client


def upload(client):
    data = {"file": io.BytesIO(CSV.encode()), "mapping": "", "kind": "deals"}
    data["file"].name = "deals.csv"
    return client.post(reverse("imports:upload"), data)


def test_an_upload_with_the_queue_down_is_logged_failed_and_says_so(ops, broker_down):
    response = upload(ops)
    assert (response.status_code, response.content.decode()) == (503, UNREACHABLE)
    run = ImportRun.objects.get()
    assert (run.status, run.errors[0]["message"]) == (ImportStatus.FAILED, UNREACHABLE)
    assert not Path(run.source_path).exists()  # nothing will read it


def test_an_apply_with_the_queue_down_keeps_the_checked_file_to_apply_again(
    ops, monkeypatch, request
):
    upload(ops)  # the queue up: the dry run runs in-process
    checked = ImportRun.objects.get()
    assert checked.status == ImportStatus.VALID
    request.getfixturevalue("broker_down")

    response = ops.post(reverse("imports:run-apply", args=[checked.pk]))

    assert (response.status_code, response.content.decode()) == (503, UNREACHABLE)
    applied = ImportRun.objects.get(dry_run=False)
    assert applied.status == ImportStatus.FAILED
    assert Path(checked.source_path).exists()
    checked.refresh_from_db()
    assert checked.status == ImportStatus.VALID  # the button still applies it
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the queue is back
    assert ops.post(reverse("imports:run-apply", args=[checked.pk])).status_code == 302
    statuses = ImportRun.objects.filter(dry_run=False).order_by("pk").values_list("status")
    assert list(statuses) == [(ImportStatus.FAILED,), (ImportStatus.APPLIED,)]


def test_a_statement_build_with_the_queue_down_is_a_503_saying_so(
    stages, admin_user, rep, broker_down
):
    assign(rep, make_plan())
    won_deal(stages, rep, "1000", date(2026, 1, 5))
    client = APIClient()
    client.force_authenticate(admin_user)
    body = {"period": "month", "start": "2026-01-01", "close": False}

    response = client.post("/api/v1/statements/build/", body, format="json")

    assert response.status_code == 503
    assert response.json() == {
        "detail": "The task queue is unreachable: the build was not started; try again shortly."
    }
    assert not Statement.objects.exists()


def test_inside_a_transaction_the_failure_comes_as_it_commits_its_data_kept(rep, broker_down):
    refused = pytest.raises(QueueUnreachable, match="the snapshot was not taken; try again")
    with refused, transaction.atomic():
        rep.first_name = "Renamed"
        rep.save()
        task_enqueue_on_commit(pipeline_snapshot_take, consequence="the snapshot was not taken")
    rep.refresh_from_db()
    assert rep.first_name == "Renamed"
