"""The beat schedules that migrations create name real tasks, at the hours documented."""

from django_celery_beat.models import PeriodicTask

from spm.celery import app


def test_every_scheduled_task_is_a_registered_task(db):
    app.loader.import_default_modules()
    scheduled = dict(PeriodicTask.objects.values_list("name", "task"))
    assert scheduled["Territory plans due"] == "territories.tasks.plans_activate_due"
    assert scheduled["Monthly statements"] == "compensation.tasks.statements_build"
    assert scheduled["Stale import uploads"] == "pipeline.tasks.uploads_sweep"
    unknown = {name: task for name, task in scheduled.items() if task not in app.tasks}
    assert unknown == {}


def test_plans_are_activated_every_morning(db):
    task = PeriodicTask.objects.get(name="Territory plans due")
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_month) == ("0", "15", "*")
