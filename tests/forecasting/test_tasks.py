from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from forecasting.models import ForecastRun, RunStatus
from forecasting.tasks import forecast_run
from spm.celery import app

pytestmark = pytest.mark.django_db


def test_the_nightly_schedule_is_in_the_database_for_admins_to_edit():
    ours = PeriodicTask.objects.filter(task__startswith="forecasting.")
    tasks = dict(ours.values_list("task", "crontab__hour"))
    assert tasks == {
        "forecasting.tasks.pipeline_snapshot_take": "1",
        "forecasting.tasks.forecast_run": "2",
    }


def test_the_task_runs_the_forecast_and_says_what_it_did(stages):
    summary = forecast_run.delay("2026-05-15").get()
    run = ForecastRun.objects.get()
    assert summary == {"run": run.pk, "as_of": "2026-05-15", "scopes": 1, "chunks": 1}
    assert run.status == RunStatus.SUCCEEDED


def test_a_failing_task_is_retried_and_every_attempt_is_recorded(stages, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("forecasting.services.plan_build", broken)
    # Eagerly, Celery runs the retries in line when errors are not propagated.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    result = forecast_run.apply(args=["2026-05-15"])
    assert isinstance(result.result, RuntimeError)
    statuses = list(ForecastRun.objects.values_list("status", flat=True))
    assert statuses == [RunStatus.FAILED] * 4  # the first try and three retries


def test_the_command_runs_the_same_code_in_the_foreground(stages):
    out, err = StringIO(), StringIO()
    call_command("run_forecast", "--as-of", "2026-05-15", stdout=out, stderr=err)
    run = ForecastRun.objects.get()
    assert run.as_of == date(2026, 5, 15)
    assert f"{run.lines.count()} lines" in out.getvalue()
    assert "1/1 scopes" in err.getvalue()  # the company alone: nobody in the org yet


def test_the_run_is_acknowledged_only_once_done_so_a_lost_worker_leaves_it_to_run_again():
    assert (forecast_run.acks_late, forecast_run.reject_on_worker_lost) == (True, True)
