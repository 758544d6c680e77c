from celery import shared_task

from imports.services import import_run_execute as execute
from imports.uploads import uploads_sweep as sweep
from pipeline.models import ImportRun


@shared_task
def import_run_execute(run_id: int) -> dict:
    """Run a logged import (dry run or apply) in the worker; the page polls its progress."""
    run = ImportRun.objects.get(pk=run_id)
    report = execute(run=run)
    return {"status": run.status, "rows": report.rows, "errors": report.error_count}


@shared_task
def uploads_sweep() -> int:
    """Nightly: delete uploads whose clean dry run was never applied."""
    return sweep()
