"""The beat schedules that migrations create name real tasks, at the hours documented."""

from django_celery_beat.models import PeriodicTask

from spm.celery import app


def test_every_scheduled_task_is_a_registered_task(db):
    app.loader.import_default_modules()
    scheduled = dict(PeriodicTask.objects.values_list("name", "task"))
    assert scheduled["Territory plans due"] == "planning.tasks.plans_activate_due"
    assert scheduled["Monthly statements"] == "compensation.tasks.statements_build"
    assert scheduled["Stale import uploads"] == "imports.tasks.uploads_sweep"
    unknown = {name: task for name, task in scheduled.items() if task not in app.tasks}
    assert unknown == {}


def test_plans_are_activated_every_morning(db):
    task = PeriodicTask.objects.get(name="Territory plans due")
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_month) == ("0", "15", "*")


def test_migrate_adds_a_missing_schedule_and_keeps_an_edited_one(db):
    from core.schedules import schedules_ensure

    PeriodicTask.objects.filter(name="Nightly forecast run").delete()
    PeriodicTask.objects.filter(name="Stale import uploads").update(enabled=False)
    assert schedules_ensure() == 1
    assert PeriodicTask.objects.get(name="Nightly forecast run").crontab.hour == "2"
    assert PeriodicTask.objects.get(name="Stale import uploads").enabled is False
