from datetime import date

from celery import shared_task
from django.utils import timezone

from planning.services.plans import plans_activate_due as _activate


@shared_task
def plans_activate_due(today: str | None = None) -> list[str]:
    """Daily: activate the territory plans scheduled for today or earlier."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return _activate(today=day)
