"""Every periodic task, in one list: the beat schedules kept in the database (django-celery-beat).

`schedules_ensure` runs after every `migrate` and creates the schedules that are missing; one an
admin changed or paused in the admin is never reset. Celery beat reads them from the database.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class Entry:
    name: str
    task: str
    hour: int
    minute: int = 0
    day_of_month: str = "*"
    kwargs: dict = field(default_factory=dict)


STATEMENTS = "compensation.tasks.statements_build"
SCHEDULES = [
    Entry("Territory plans due", "planning.tasks.plans_activate_due", hour=0, minute=15),
    Entry("Nightly pipeline snapshot", "forecasting.tasks.pipeline_snapshot_take", 1, 30),
    Entry("Nightly deal scores", "scoring.tasks.deal_scores_refresh", hour=1),
    Entry("Nightly forecast run", "forecasting.tasks.forecast_run", hour=2),
    Entry("Monthly statements", STATEMENTS, hour=3, day_of_month="1", kwargs={"period": "month"}),
    Entry("Quarterly statements", STATEMENTS, 3, day_of_month="1", kwargs={"period": "quarter"}),
    Entry("Stale import uploads", "imports.tasks.uploads_sweep", hour=3, minute=30),
    Entry("Nightly rollup check", "rollups.tasks.rollups_check", hour=4),
]


def schedules_ensure(**kwargs: object) -> int:
    """Create the missing schedules of `SCHEDULES`; return how many were created."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    existing = set(PeriodicTask.objects.values_list("name", flat=True))
    created = 0
    for entry in SCHEDULES:
        if entry.name in existing:
            continue
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=str(entry.minute),
            hour=str(entry.hour),
            day_of_week="*",
            day_of_month=entry.day_of_month,
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.create(
            name=entry.name, task=entry.task, crontab=crontab, kwargs=json.dumps(entry.kwargs)
        )
        created += 1
    return created
