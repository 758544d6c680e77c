"""A real Celery worker killed in the middle of a forecast run: the run is never half there, and
the lost chunk of scopes runs again to exactly one complete run for its as-of date.

The run's task opens the run and sends its scopes out in chunks, one scope each here. The test
holds a SHARE lock on the forecast lines table: the first chunk computes its lines, then waits
on that lock to write them, its transaction open. The test sees that in PostgreSQL itself (the
worker's session waiting on the lock) before it kills anything; nothing in the worker is
patched or slowed.
"""

import os
import signal
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction

from forecasting.models import ForecastLine, ForecastRun, RunStatus
from forecasting.selectors import forecast_run_latest
from forecasting.services import forecast_compute
from forecasting.tasks import forecast_run
from pipeline.models import Deal
from spm.celery import app
from tests.worker import worker_start

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
AS_OF = date(2026, 5, 15)
# The recovering worker: it takes back a message left unacknowledged for 4 s (the time counts
# on each worker's clock, pinned to noon when it starts), looking every second.
RECOVERING = {"CELERY_VISIBILITY_TIMEOUT": "4", "PACER_TEST_RESTORE_EVERY_SECOND": "1"}
ONE_SCOPE_A_CHUNK = {"FORECAST_CHUNK_SCOPES": "1"}
WAITING_TO_WRITE_LINES = """
    SELECT DISTINCT pid FROM pg_locks
    WHERE relation = 'forecasting_forecastline'::regclass AND NOT granted
"""


def wait_for(what: str, check: Callable[[], object], timeout: float = 30) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError(f"Gave up after {timeout:.0f} s waiting for {what}")


def sessions_waiting_to_write_lines() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(WAITING_TO_WRITE_LINES)
        return [pid for (pid,) in cursor.fetchall()]


def session_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 0


def lines_table_lock() -> None:
    """Until the surrounding transaction ends, writing forecast lines waits; reading them not."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE forecasting_forecastline IN SHARE MODE")


def pool_children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def stopped(worker) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


@pytest.fixture
def open_pipeline(stages, rep, manager):
    for owner, stage, amount in [
        (rep, "Prospecting", "1000"),
        (rep, "Negotiation", "2500"),
        (manager, "Proposal", "4000"),
    ]:
        Deal.objects.create(
            name=f"{owner.username} {amount}",
            stage=stages[stage],
            owner=owner,
            amount=Decimal(amount),
            created_on=date(2026, 3, 2),
            expected_close_on=date(2026, 6, 30),
        )
    lines, _ = forecast_compute(as_of=AS_OF)  # what a clean run writes
    return len(lines)


def assert_nothing_half_written(abandoned: ForecastRun) -> None:
    """Readers see no run for the day: the dead attempt's row says running, with no line."""
    runs = ForecastRun.objects.filter(as_of=AS_OF)
    assert list(runs.values_list("pk", "status", "finished_at")) == [
        (abandoned.pk, RunStatus.RUNNING, None)
    ]
    assert ForecastLine.objects.count() == 0
    assert forecast_run_latest() is None


def run_complete() -> bool:
    return ForecastRun.objects.filter(as_of=AS_OF, status=RunStatus.SUCCEEDED).exists()


def assert_one_complete_run(summary: dict, lines: int) -> None:
    run = ForecastRun.objects.get(as_of=AS_OF)
    assert (run.status, summary["run"], summary["as_of"], summary["chunks"]) == (
        RunStatus.SUCCEEDED,
        run.pk,
        AS_OF.isoformat(),
        3,  # company, manager, rep: a chunk each
    )
    assert ForecastLine.objects.filter(run=run).count() == lines
    assert ForecastLine.objects.count() == lines
    assert forecast_run_latest() == run


def test_a_run_whose_worker_machine_died_runs_its_lost_chunk_again_on_another_worker(
    open_pipeline, monkeypatch
):
    """The harsh case: the whole worker (its main process and the pool child running a chunk)
    is SIGKILLed at once, as a lost machine goes. Nobody is left to report the chunk lost; its
    message, taken but never acknowledged (acks late), stays in Redis, with the chunks not yet
    taken. A fresh worker with a short visibility timeout takes it back (real redelivery, no
    explicit retry), writes every chunk, and the chord's callback completes the run."""
    assert open_pipeline == 18  # company, manager, rep x 3 months and 3 quarters
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    worker, queue = worker_start(pool="prefork", env=ONE_SCOPE_A_CHUNK)
    fresh = None
    try:
        with transaction.atomic():
            lines_table_lock()
            result = forecast_run.apply_async(args=[AS_OF.isoformat()], queue=queue)
            (session,) = wait_for("a chunk to wait to write lines", sessions_waiting_to_write_lines)
            abandoned = ForecastRun.objects.get(as_of=AS_OF, status=RunStatus.RUNNING)
            assert pool_children(worker.pid)  # the chunk runs in a pool child
            os.killpg(worker.pid, signal.SIGKILL)
            assert worker.wait(timeout=10) == -signal.SIGKILL
        # The lock is released: the dead worker's session finds its client gone and rolls back.
        wait_for("PostgreSQL to end the dead worker's session", lambda: session_gone(session))
        assert_nothing_half_written(abandoned)
        summary = result.get(timeout=10)  # the run's own task had handed out its chunks
        fresh, _ = worker_start(queue, pool="prefork", env={**RECOVERING, **ONE_SCOPE_A_CHUNK})
        wait_for("the run to complete", run_complete, timeout=60)
    finally:
        stopped(worker)
        if fresh is not None:
            stopped(fresh)
    assert summary["run"] == abandoned.pk
    assert_one_complete_run(summary, open_pipeline)
