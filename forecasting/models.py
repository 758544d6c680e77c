from django.conf import settings
from django.db import models
from django.db.models import F

from core.money import MONEY


class PipelineSnapshot(models.Model):
    """Open pipeline per owner and stage as it stood at the end of `taken_on`."""

    taken_on = models.DateField(db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.ForeignKey(
        "pipeline.Stage", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty: deals open in a stage their source did not record.",
    )  # fmt: skip
    deals = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    weighted_amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["taken_on", "owner_id", "stage__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["taken_on", "owner", "stage"],
                name="snapshot_one_row_per_owner_stage_day",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.taken_on.isoformat()} {self.owner_id} {self.stage_id}: {self.amount}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ScopeKind(models.TextChoices):
    COMPANY = "company", "Company"
    TERRITORY = "territory", "Territory"
    MANAGER = "manager", "Manager's tree"
    REP = "rep", "Rep"


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class ForecastRun(models.Model):
    """One nightly (or replayed) forecast as of the end of `as_of`."""

    as_of = models.DateField(db_index=True)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    models_used = models.JSONField(
        default=dict, blank=True, help_text="Time-series model name to the number of series."
    )
    weighted_by_scores = models.BooleanField(
        default=False,
        help_text="The weighted pipeline used the deal scores (they beat the stage rates on "
        "the last hold-out); otherwise the stage rates.",
    )

    class Meta:
        ordering = ["-as_of", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["as_of"],
                condition=models.Q(status="succeeded"),
                name="forecast_one_succeeded_run_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"Forecast as of {self.as_of.isoformat()} ({self.status})"


class ForecastLine(models.Model):
    """One scope and period of a run. Money in `currency`; a time-series value is empty when
    the scope has no closed revenue to learn from."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="lines")
    scope_kind = models.CharField(max_length=12, choices=ScopeKind.choices)
    scope_key = models.CharField(max_length=32, blank=True, help_text="Territory or person id.")
    scope_name = models.CharField(max_length=200)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    territory = models.ForeignKey(
        "territories.Territory", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField()
    currency = models.CharField(max_length=3)
    closed = models.DecimalField(**MONEY)
    commit = models.DecimalField(**MONEY)
    best_case = models.DecimalField(**MONEY)
    pipeline = models.DecimalField(**MONEY)
    weighted_pipeline = models.DecimalField(
        **MONEY, help_text="Closed plus open deals weighted by learned win probabilities."
    )
    call = models.DecimalField(
        null=True, blank=True, **MONEY, help_text="The manager's own call, when made."
    )
    call_comment = models.TextField(blank=True)
    rollup_with_calls = models.DecimalField(
        **MONEY, help_text="Closed plus commit, with lower managers' calls in place of their trees."
    )
    method = models.CharField(max_length=40, blank=True, help_text="Time-series model.")
    ts_point = models.DecimalField(null=True, blank=True, **MONEY)
    ts_low80 = models.DecimalField(null=True, blank=True, **MONEY)
    ts_high80 = models.DecimalField(null=True, blank=True, **MONEY)
    ts_low95 = models.DecimalField(null=True, blank=True, **MONEY)
    ts_high95 = models.DecimalField(null=True, blank=True, **MONEY)
    blended = models.DecimalField(**MONEY)
    blend_method = models.CharField(max_length=120)

    class Meta:
        ordering = ["run_id", "period_kind", "period_start", "scope_kind", "scope_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "scope_kind", "scope_key", "period_kind", "period_start"],
                name="forecast_one_line_per_scope_period",
            )
        ]
        indexes = [models.Index(fields=["run", "scope_kind", "scope_key"])]

    def __str__(self) -> str:
        return f"{self.scope_name} {self.period_kind} {self.period_start.isoformat()}"


class ForecastCall(models.Model):
    """A manager's own number for their tree (an admin's for any scope), with why.

    Calls are never changed: a new call for the same scope and period supersedes the last, so
    the rows are the history of who called what when."""

    scope_kind = models.CharField(max_length=12, choices=ScopeKind.choices)
    scope_key = models.CharField(max_length=32, blank=True)
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField()
    amount = models.DecimalField(**MONEY, help_text="The commit: what the caller is sure of.")
    best_case = models.DecimalField(
        null=True, blank=True, **MONEY, help_text="The most the caller thinks may close."
    )
    currency = models.CharField(max_length=3)
    comment = models.TextField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forecast_calls"
    )
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["scope_kind", "scope_key", "period_kind", "period_start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="forecast_call_not_negative",
                violation_error_message="A forecast call cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(best_case__isnull=True) | models.Q(best_case__gte=F("amount")),
                name="forecast_call_best_case_not_below_commit",
                violation_error_message="The best case cannot be below the commit.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.made_by} calls {self.amount} for {self.scope_kind} {self.scope_key}"
