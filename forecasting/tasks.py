from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from forecasting.services import pipeline_snapshot_take as take


@shared_task
def pipeline_snapshot_take(day: str | None = None) -> dict:
    """Snapshot the open pipeline of `day` (ISO date; yesterday when omitted)."""
    taken_on = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return {"day": taken_on.isoformat(), "rows": take(day=taken_on)}
