"""A real Celery worker on the Redis broker runs a task whose result lands in the database."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from forecasting.models import PipelineSnapshot
from forecasting.tasks import pipeline_snapshot_take
from pipeline.models import Deal
from spm.celery import app
from tests.worker import worker_start

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
    worker, queue = worker_start()
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
