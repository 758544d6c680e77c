"""The nightly task's fan-out, eagerly: chunks of scopes, each written by a task of its own, and
a callback that marks the run complete once every line is there."""

from datetime import date
from decimal import Decimal

import pytest

from forecasting import services
from forecasting.chunks import scope_input_dump, scope_input_load
from forecasting.models import ForecastCall, ForecastLine, ForecastRun, RunStatus
from forecasting.selectors import forecast_run_latest
from forecasting.services import forecast_compute
from forecasting.tasks import forecast_run
from spm.celery import app
from tests.forecasting.test_run import deal, move

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 5, 15)
FIELDS = ("closed", "commit", "weighted_pipeline", "call", "ts_point", "blended", "blend_method")


@pytest.fixture
def book(stages, rep, other_rep, manager):
    for month in range(1, 13):
        won = deal(stages["Proposal"], rep, str(100 * month), date(2025, month, 1))
        move(won, stages["Won"], date(2025, month, 15))
    deal(stages["Negotiation"], other_rep, "500", date(2026, 5, 2), date(2026, 5, 25))
    ForecastCall.objects.create(
        scope_kind="manager",
        scope_key=str(manager.pk),
        period_kind="month",
        period_start=date(2026, 5, 1),
        amount=Decimal("900"),
        currency="USD",
        comment="Two renewals",
        made_by=manager,
        made_at=services.timezone.now(),
    )


def stored(run: ForecastRun) -> dict:
    rows = ForecastLine.objects.filter(run=run).values_list(
        "scope_kind", "scope_key", "period_kind", "period_start", *FIELDS
    )
    return {row[:4]: row[4:] for row in rows}


def computed() -> dict:
    lines, _ = forecast_compute(as_of=AS_OF)
    keys = [
        (line.scope.kind, line.scope.key, line.period_kind, line.period_start) for line in lines
    ]
    return {k: tuple(line.values[f] for f in FIELDS) for k, line in zip(keys, lines, strict=True)}


def test_a_run_in_chunks_of_one_scope_writes_what_one_process_computes(book, settings):
    settings.FORECAST_CHUNK_SCOPES = 1
    summary = forecast_run.delay(AS_OF.isoformat()).get()
    run = ForecastRun.objects.get()
    # company, two managers and their reps: five scopes, five chunks, six periods each
    assert summary == {"run": run.pk, "as_of": "2026-05-15", "scopes": 5, "chunks": 5}
    assert run.status == RunStatus.SUCCEEDED and forecast_run_latest() == run
    assert stored(run) == computed()
    assert len(stored(run)) == 30
    assert sum(run.models_used.values()) == 3  # the company, the manager and the rep who sold


def test_a_chunk_done_twice_replaces_its_own_lines(book):
    run, plan = services.forecast_run_start(as_of=AS_OF)
    chunk = [scope_input_load(scope_input_dump(item)) for item in plan.items[:2]]
    for _ in range(2):
        services.forecast_chunk_save(run_id=run.pk, as_of=AS_OF, weights={}, items=chunk)
    assert run.lines.count() == 12
    with pytest.raises(RuntimeError, match="The run has 12 of its 30 lines."):
        services.forecast_run_finish(run_id=run.pk, lines=30, models_used=[])
    services.forecast_chunk_save(run_id=run.pk, as_of=AS_OF, weights={}, items=plan.items[2:])
    services.forecast_run_finish(run_id=run.pk, lines=30, models_used=[{"a": 1}, {"a": 2}])
    run.refresh_from_db()
    assert (run.status, run.models_used, run.lines.count()) == (RunStatus.SUCCEEDED, {"a": 3}, 30)


def test_the_last_run_to_finish_replaces_the_day_and_late_chunks_of_others_write_nothing(book):
    first, plan = services.forecast_run_start(as_of=AS_OF)
    second, _ = services.forecast_run_start(as_of=AS_OF)
    services.forecast_chunk_save(run_id=second.pk, as_of=AS_OF, weights={}, items=plan.items)
    services.forecast_run_finish(run_id=second.pk, lines=30, models_used=[])
    # The first attempt's worker comes back: its run is gone, so its chunk writes nothing.
    assert (
        services.forecast_chunk_save(run_id=first.pk, as_of=AS_OF, weights={}, items=plan.items)
        == {}
    )
    assert list(ForecastRun.objects.values_list("pk", "status")) == [
        (second.pk, RunStatus.SUCCEEDED)
    ]
    assert ForecastLine.objects.count() == 30


def test_a_chunk_that_keeps_failing_fails_the_run_and_keeps_the_previous_one(book, monkeypatch):
    good = forecast_run.delay(AS_OF.isoformat()).get()

    def broken(**kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr("forecasting.services.lines_build", broken)
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    forecast_run.apply(args=[AS_OF.isoformat()])
    failed = ForecastRun.objects.exclude(pk=good["run"])
    # Eagerly, the run's task is retried three times after the chunk's own three retries.
    assert (
        list(failed.values_list("status", "error"))
        == [(RunStatus.FAILED, "RuntimeError: model exploded")] * 4
    )
    assert ForecastLine.objects.exclude(run_id=good["run"]).count() == 0
    assert forecast_run_latest().pk == good["run"]
    assert ForecastLine.objects.filter(run_id=good["run"]).count() == 30
