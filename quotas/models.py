from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.money import MONEY, default_currency, non_negative
from core.periods import is_period_start, period_containing


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
        on_delete=models.RESTRICT,
        related_name="quotas",
    )
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.RESTRICT, related_name="quotas"
    )
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
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
        if not (self.start and self.period):
            return
        try:
            starts = is_period_start(self.start, self.period)
        except ValueError as error:
            raise ValidationError({"start": str(error)}) from None
        if not starts:
            expected = period_containing(self.start, self.period).start
            raise ValidationError(
                {
                    "start": f"A {self.period} quota starts on {expected.isoformat()}, "
                    f"the first day of its {self.period} (fiscal year starts in month "
                    f"{settings.FISCAL_YEAR_START_MONTH})."
                }
            )


def parse_steps(text: str) -> list[Decimal]:
    """'25, 50, 75' -> [25, 50, 75]; raises ValidationError on anything else."""
    try:
        steps = [Decimal(part.strip()) for part in text.split(",") if part.strip()]
    except InvalidOperation:
        raise ValidationError({"steps": "Give percents separated by commas."}) from None
    if not steps or any(not step.is_finite() or not 0 <= step <= 100 for step in steps):
        raise ValidationError({"steps": "Give at least one percent, each from 0 to 100."})
    if steps != sorted(steps):
        raise ValidationError({"steps": "A ramp never goes down."})
    return steps


class RampSchedule(models.Model):
    """How much of a full quota a new rep carries in their first months (by hire date)."""

    name = models.CharField(max_length=100, unique=True)
    steps = models.CharField(
        max_length=200,
        help_text="Percent of a full quota in the hire month, the month after, and so on, "
        "separated by commas (e.g. 25,50,75); 100 % after the last.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.steps})"

    def clean(self) -> None:
        super().clean()
        self.steps = ",".join(str(step) for step in parse_steps(self.steps))

    @property
    def percents(self) -> list[Decimal]:
        return parse_steps(self.steps)
