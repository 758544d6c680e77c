"""Recurring revenue and what customers say: subscriptions and survey answers."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Round

from core.money import MONEY, default_currency, non_negative
from pipeline.models.accounts import Account
from pipeline.models.catalog import Product


class Subscription(models.Model):
    """Recurring revenue: MRR at a date is the sum of rows active then; a change is a new row."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="subscriptions")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="subscriptions"
    )
    mrr = models.DecimalField(**MONEY)
    # The same in whole cents, kept by the database: the MRR family adds these up (integers
    # add far faster than numeric in PostgreSQL).
    mrr_cents = models.GeneratedField(
        expression=Cast(Round(F("mrr") * 100), models.BigIntegerField()),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )
    currency = models.CharField(max_length=3, default=default_currency)
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Empty while active.")

    class Meta:
        ordering = ["account__name", "start"]
        indexes = [models.Index(fields=["start", "end"])]
        constraints = [
            non_negative("mrr", "MRR"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="subscription_end_after_start",
                violation_error_message="A subscription cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.mrr} {self.currency}/month from {self.start.isoformat()}"


class SurveyKind(models.TextChoices):
    CSAT = "csat", "CSAT (1-5)"
    NPS = "nps", "NPS (0-10)"


class SurveyResponse(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="survey_responses")
    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    score = models.SmallIntegerField(validators=[MinValueValidator(0)])
    responded_on = models.DateField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-responded_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="csat", score__gte=1, score__lte=5)
                | Q(kind="nps", score__gte=0, score__lte=10),
                name="survey_score_in_range",
                violation_error_message="A CSAT score is 1 to 5; an NPS score is 0 to 10.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.score} from {self.account}"
