from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from forecasting.services import forecast_run as run_forecast
from forecasting.services import pipeline_snapshot_take as take


@shared_task
def pipeline_snapshot_take(day: str | None = None) -> dict:
    """Snapshot the open pipeline of `day` (ISO date; yesterday when omitted)."""
    taken_on = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return {"day": taken_on.isoformat(), "rows": take(day=taken_on)}


@shared_task(
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
)
def forecast_run(as_of: str | None = None) -> dict:
    """Forecast as of the end of `as_of` (ISO date; yesterday, the last whole day, when omitted).

    A failure is stored on a failed run and retried after 1, 2 then 4 minutes or so. A worker
    lost mid-run leaves a run marked running with no line; the message, acknowledged only at the
    end, is delivered again and that run replaced.
    """
    day = date.fromisoformat(as_of) if as_of else timezone.localdate() - timedelta(days=1)
    run = run_forecast(as_of=day)
    return {"run": run.pk, "as_of": day.isoformat(), "seconds": run.duration_seconds}
