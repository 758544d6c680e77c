"""A real Celery worker on the Redis broker runs a task whose result lands in the database."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from forecasting.models import PipelineSnapshot
from forecasting.tasks import pipeline_snapshot_take
from pipeline.models import Deal
from spm.celery import app

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_worker_on_redis_writes_the_snapshot(monkeypatch, stages, rep):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    deal = Deal(
        name="Worker deal",
        stage=stages["Proposal"],
        owner=rep,
        amount=Decimal("2500"),
        created_on=datetime(2026, 6, 1, tzinfo=UTC).date(),
    )
    deal.save(changed_at=datetime(2026, 6, 1, 9, tzinfo=UTC))
    db = connection.settings_dict
    queue = f"pacer-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "spm",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        result = pipeline_snapshot_take.apply_async(args=["2026-06-01"], queue=queue)
        assert result.get(timeout=60) == {"day": "2026-06-01", "rows": 1}
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    row = PipelineSnapshot.objects.get()
    assert (row.owner, row.stage.name, row.amount, row.weighted_amount) == (
        rep,
        "Proposal",
        Decimal("2500.00"),
        Decimal("1000.00"),
    )
