from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from metrics.periods import is_period_start, period_containing
from pipeline.models import MONEY, default_currency, non_negative


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class QuotaMetric(models.TextChoices):
    BOOKINGS = "bookings", "Bookings (won amount)"
    NEW_RECURRING = "new_recurring", "New recurring revenue"
    DEALS_WON = "deals_won", "Deals won"


ASSIGNEES = ("rep", "team", "territory")


def one_assignee() -> models.CheckConstraint:
    options = [
        Q(**{f"{name}__isnull": name != chosen for name in ASSIGNEES}) for chosen in ASSIGNEES
    ]
    condition = options[0]
    for option in options[1:]:
        condition |= option
    return models.CheckConstraint(
        condition=condition,
        name="quota_exactly_one_assignee",
        violation_error_message="A quota belongs to exactly one rep, team or territory.",
    )


def unique_per(assignee: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=[assignee, "period", "start", "metric"],
        condition=Q(**{f"{assignee}__isnull": False}),
        name=f"quota_unique_per_{assignee}",
        violation_error_message=f"This {assignee} already has a quota for that period and metric.",
    )


class Quota(models.Model):
    """A target for one assignee over one month, fiscal quarter or fiscal year."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    team = models.ForeignKey(
        "territories.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="quotas"
    )
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    period = models.CharField(max_length=8, choices=PeriodKind.choices)
    start = models.DateField(help_text="First day of the month, fiscal quarter or fiscal year.")
    metric = models.CharField(max_length=16, choices=QuotaMetric.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default=default_currency)

    class Meta:
        ordering = ["start", "period"]
        constraints = [
            non_negative("amount", "A quota"),
            one_assignee(),
            *(unique_per(name) for name in ASSIGNEES),
        ]

    def __str__(self) -> str:
        return f"{self.assignee} {self.get_metric_display()} {self.period} {self.start.isoformat()}"

    @property
    def assignee(self):
        return self.rep or self.team or self.territory

    @property
    def end(self):
        return period_containing(self.start, self.period).end

    def clean(self) -> None:
        super().clean()
        if self.start and self.period and not is_period_start(self.start, self.period):
            expected = period_containing(self.start, self.period).start
            raise ValidationError(
                {
                    "start": f"A {self.period} quota starts on {expected.isoformat()}, "
                    f"the first day of its {self.period} (fiscal year starts in month "
                    f"{settings.FISCAL_YEAR_START_MONTH})."
                }
            )
