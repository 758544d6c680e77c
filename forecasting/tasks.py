from datetime import date, timedelta

from celery import chord, shared_task
from django.conf import settings
from django.utils import timezone

from forecasting import services
from forecasting.chunks import scope_input_dump, scope_input_load, weights_dump, weights_load
from forecasting.services import pipeline_snapshot_take as take

RETRIES = {
    "autoretry_for": (Exception,),
    "max_retries": 3,
    "retry_backoff": 60,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
}


@shared_task
def pipeline_snapshot_take(day: str | None = None) -> dict:
    """Snapshot the open pipeline of `day` (ISO date; yesterday when omitted)."""
    taken_on = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return {"day": taken_on.isoformat(), "rows": take(day=taken_on)}


@shared_task(bind=True, **RETRIES)
def forecast_run(self, as_of: str | None = None) -> dict:
    """Forecast as of the end of `as_of` (ISO date; yesterday, the last whole day, when omitted).

    The database pass happens here; the fits and lines go out in chunks of scopes, one task
    each, to every worker listening, and the last to end marks the run succeeded (a chord).
    A failure here is stored on a failed run and retried after 1, 2 then 4 minutes or so. A
    worker lost mid-task leaves its message unacknowledged (acks late): it is delivered again
    and the task done again, which replaces what the lost attempt wrote.
    """
    day = date.fromisoformat(as_of) if as_of else timezone.localdate() - timedelta(days=1)
    run, plan = services.forecast_run_start(as_of=day)
    size = settings.FORECAST_CHUNK_SCOPES
    chunks = [plan.items[i : i + size] for i in range(0, len(plan.items), size)]
    weights = weights_dump(plan.weights)
    lines = sum(len(ps) for ps in plan.periods.values()) * len(plan.items)
    # The chunks go to the queue this task came from, to the workers that serve it.
    queue = {"queue": q} if (q := (self.request.delivery_info or {}).get("routing_key")) else {}
    header = [
        forecast_chunk_save.s(
            run.pk, day.isoformat(), weights, [scope_input_dump(i) for i in c]
        ).set(**queue)
        for c in chunks
    ]
    finish = forecast_run_finish.s(run.pk, lines).set(**queue)
    finish = finish.on_error(forecast_run_fail.s(run.pk).set(**queue))
    try:
        chord(header)(finish)
    except Exception as error:  # eagerly, a chunk's error; else the broker's
        services.forecast_run_fail(run_id=run.pk, error=error)
        raise
    return {"run": run.pk, "as_of": day.isoformat(), "scopes": len(plan.items)} | {
        "chunks": len(chunks)
    }


@shared_task(**RETRIES)
def forecast_chunk_save(run_id: int, as_of: str, weights: dict, items: list[dict]) -> dict:
    """Fit and write the lines of a chunk of a run's scopes; returns the models used."""
    return services.forecast_chunk_save(
        run_id=run_id,
        as_of=date.fromisoformat(as_of),
        weights=weights_load(weights),
        items=[scope_input_load(item) for item in items],
    )


@shared_task(**RETRIES)
def forecast_run_finish(models_used: list[dict], run_id: int, lines: int) -> dict:
    """Once every chunk is written, mark the run succeeded (the chord's callback)."""
    run = services.forecast_run_finish(run_id=run_id, lines=lines, models_used=models_used)
    return {"run": run.pk, "status": run.status, "seconds": run.duration_seconds}


@shared_task
def forecast_run_fail(request, error, traceback, run_id: int) -> None:
    """A chunk failed for good: the run is marked failed with its error."""
    services.forecast_run_fail(run_id=run_id, error=error)
