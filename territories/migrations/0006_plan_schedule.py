"""Every morning, activate the territory plans scheduled for that day."""

from django.db import migrations

from spm.schedules import BEAT_MIGRATION, Entry, schedule_operation


class Migration(migrations.Migration):
    dependencies = [("territories", "0005_territory_plans"), BEAT_MIGRATION]

    operations = [
        schedule_operation(
            Entry("Territory plans due", "territories.tasks.plans_activate_due", hour=0, minute=15)
        )
    ]
