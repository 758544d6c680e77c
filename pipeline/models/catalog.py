"""What is sold and the stages a deal goes through."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.money import MONEY, default_currency, non_negative


class Billing(models.TextChoices):
    ONE_TIME = "one_time", "One-time"
    RECURRING = "recurring", "Recurring"


class Product(models.Model):
    name = models.CharField(max_length=100, unique=True)
    family = models.CharField(max_length=100, blank=True)
    list_price = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default=default_currency)
    billing = models.CharField(max_length=16, choices=Billing.choices, default=Billing.ONE_TIME)

    class Meta:
        ordering = ["family", "name"]
        constraints = [non_negative("list_price", "List price")]

    def __str__(self) -> str:
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline"
    BEST_CASE = "best_case", "Best case"
    COMMIT = "commit", "Commit"
    CLOSED = "closed", "Closed"
    OMITTED = "omitted", "Omitted"


class Stage(models.Model):
    name = models.CharField(max_length=64, unique=True)
    order = models.PositiveSmallIntegerField()
    probability = models.PositiveSmallIntegerField(help_text="Default win probability, percent.")
    kind = models.CharField(max_length=8, choices=StageKind.choices, default=StageKind.OPEN)
    forecast_category = models.CharField(
        max_length=16, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__lte=100),
                name="stage_probability_percent",
                violation_error_message="A win probability is a percent from 0 to 100.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="won") | Q(probability=100),
                name="stage_won_is_certain",
                violation_error_message="A won stage has a probability of 100.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="lost") | Q(probability=0),
                name="stage_lost_is_zero",
                violation_error_message="A lost stage has a probability of 0.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.pk and self.deals.exists():
            saved = Stage.objects.get(pk=self.pk)
            if saved.kind != self.kind:
                raise ValidationError(
                    {
                        "kind": f"Deals are in stage {saved.name}; its kind cannot change. "
                        "Create a new stage and move the deals instead."
                    }
                )
