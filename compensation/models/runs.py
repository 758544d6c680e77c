"""A statement run: building or closing one period's statements, with its progress."""

from django.conf import settings
from django.db import models

from compensation.models.plans import PayPeriod


class RunAction(models.TextChoices):
    BUILD = "build", "Build"
    CLOSE = "close", "Close"


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class StatementRun(models.Model):
    """One build or close of a period, done in batches of reps so its progress shows."""

    period = models.CharField(max_length=8, choices=PayPeriod.choices)
    start = models.DateField()
    action = models.CharField(max_length=8, choices=RunAction.choices)
    state = models.CharField(max_length=8, choices=RunState.choices, default=RunState.QUEUED)
    reps = models.PositiveIntegerField(default=0, help_text="Reps to pay in the period.")
    done = models.PositiveIntegerField(default=0, help_text="Reps whose statements are done.")
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.period} {self.start.isoformat()} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in {RunState.DONE, RunState.FAILED}

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.reps) if self.reps else None
