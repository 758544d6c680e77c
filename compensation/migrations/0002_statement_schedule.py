"""The beat schedule that builds statements when a period ends, in the database so admins can
edit or pause it (django-celery-beat). On the first of each month at 03:00 it builds the
statements of the month (and the fiscal quarter) that held the day before; closing, which locks
them, stays a decision of sales operations.
"""

from django.db import migrations

from spm.schedules import BEAT_MIGRATION, Entry, schedule_operation

TASK = "compensation.tasks.statements_build"


class Migration(migrations.Migration):
    dependencies = [("compensation", "0001_initial"), BEAT_MIGRATION]

    operations = [
        schedule_operation(
            Entry("Monthly statements", TASK, hour=3, day_of_month="1", kwargs={"period": "month"}),
            Entry(
                "Quarterly statements", TASK, hour=3, day_of_month="1", kwargs={"period": "quarter"}
            ),
        )
    ]
