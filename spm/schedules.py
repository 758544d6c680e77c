"""Beat schedules kept in the database (django-celery-beat), so admins edit or pause them.

Apps add theirs with a data migration whose operation is `schedule_operation(...)`. A task is
created only when missing: a schedule an admin changed is never reset by a later migrate.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import migrations

BEAT_MIGRATION = ("django_celery_beat", "0019_alter_periodictasks_options")


@dataclass(frozen=True)
class Entry:
    name: str
    task: str
    hour: int
    minute: int = 0
    day_of_month: str = "*"
    kwargs: dict = field(default_factory=dict)


def schedule_operation(*entries: Entry) -> migrations.RunPython:
    def create(apps, schema_editor) -> None:
        crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
        tasks = apps.get_model("django_celery_beat", "PeriodicTask")
        for entry in entries:
            if tasks.objects.filter(name=entry.name).exists():
                continue
            crontab, _ = crontabs.objects.get_or_create(
                minute=str(entry.minute),
                hour=str(entry.hour),
                day_of_week="*",
                day_of_month=entry.day_of_month,
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
            tasks.objects.create(
                name=entry.name, task=entry.task, crontab=crontab, kwargs=json.dumps(entry.kwargs)
            )

    def remove(apps, schema_editor) -> None:
        tasks = apps.get_model("django_celery_beat", "PeriodicTask")
        tasks.objects.filter(name__in=[entry.name for entry in entries]).delete()

    return migrations.RunPython(create, remove)
