from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from compensation.services import statements_build as build
from compensation.services import statements_close as close
from compensation.services.runs import statement_run_execute as execute
from core.periods import period_containing
from org.models import User


def _start(period: str, start: str | None) -> date:
    """The given ISO date, or the start of the period that held yesterday (just ended, on the
    first day of a period)."""
    if start:
        return date.fromisoformat(start)
    return period_containing(timezone.localdate() - timedelta(days=1), period).start


@shared_task
def statements_build(period: str = "month", start: str | None = None) -> dict:
    """Build the open statements of a month or fiscal quarter (ISO start; default: yesterday's)."""
    return build(period=period, start=_start(period, start)).as_dict()


@shared_task
def statements_close(period: str, start: str, by_id: int | None = None) -> dict:
    """Build one last time and lock the statements of a month or fiscal quarter."""
    by = User.objects.filter(pk=by_id).first() if by_id else None
    return close(period=period, start=date.fromisoformat(start), by=by).as_dict()


@shared_task
def statement_run_execute(run_id: int) -> dict:
    """Build or close a period's statements in batches, recording progress on the run."""
    return execute(run_id)
