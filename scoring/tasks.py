from datetime import date, datetime, time

from celery import shared_task
from django.utils import timezone

from scoring.services import deal_scores_refresh as refresh
from scoring.services import sentiment_fill as fill


@shared_task
def deal_scores_refresh(as_of: str | None = None) -> dict:
    """Train on deals closed by the end of `as_of` (ISO date; now when omitted), score the
    open deals, and score survey comments not scored yet."""
    moment = None
    if as_of:
        day = date.fromisoformat(as_of)
        moment = timezone.make_aware(datetime.combine(day, time.max))
    run = refresh(moment=moment)
    return {
        "run": run.pk,
        "status": run.status,
        "deals": run.deals_scored,
        "comments": fill(),
    }
