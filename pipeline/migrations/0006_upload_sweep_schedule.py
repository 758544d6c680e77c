"""The nightly sweep of import uploads whose dry run was never applied, at 03:30."""

from django.db import migrations

from spm.schedules import BEAT_MIGRATION, Entry, schedule_operation


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0005_deal_indexes_mrr_cents"), BEAT_MIGRATION]

    operations = [
        schedule_operation(
            Entry("Stale import uploads", "pipeline.tasks.uploads_sweep", hour=3, minute=30)
        )
    ]
