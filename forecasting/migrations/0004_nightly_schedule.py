"""The nightly beat schedule, in the database so admins can edit or pause it (django-celery-beat):
the open-pipeline snapshot at 01:30 and the forecast run at 02:00, both for the day before.
"""

from django.db import migrations

from spm.schedules import BEAT_MIGRATION, Entry, schedule_operation


class Migration(migrations.Migration):
    dependencies = [("forecasting", "0003_forecastrun_forecastcall_forecastline"), BEAT_MIGRATION]

    operations = [
        schedule_operation(
            Entry(
                "Nightly pipeline snapshot",
                "forecasting.tasks.pipeline_snapshot_take",
                hour=1,
                minute=30,
            ),
            Entry("Nightly forecast run", "forecasting.tasks.forecast_run", hour=2),
        )
    ]
