"""A real Celery worker on Redis runs an import queued the way the upload page queues it."""

import pytest

from imports.services import import_run_progress, import_run_start
from imports.tasks import import_run_execute
from pipeline.models import Deal, ImportRun
from spm.celery import app
from tests.worker import worker_start

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CSV = (
    "external_id,owner,stage,amount,created_on,close_date\n"
    "W-1,rep,Won,900,2026-01-02,2026-02-01\n"
    "W-2,rep,Proposal,300,2026-01-03,\n"
)


def test_worker_applies_an_import_and_logs_it(monkeypatch, stages, rep, write_csv):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    run = import_run_start(path=write_csv(CSV), kind="deals", dry_run=False, user=rep)
    worker, queue = worker_start()
    try:
        result = import_run_execute.apply_async(args=[run.pk], queue=queue)
        assert result.get(timeout=90) == {"status": "applied", "rows": 2, "errors": 0}
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.user, import_run_progress(run)) == ("applied", 2, rep, 2)
    assert sorted(Deal.objects.values_list("external_id", flat=True)) == ["W-1", "W-2"]
