"""Accounts and the history of their territory and owner."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.money import MONEY, non_negative


class SegmentTier(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    ENTERPRISE = "enterprise", "Enterprise"
    MID_MARKET = "mid_market", "Mid-market"
    SMB = "smb", "Small business"


class Account(models.Model):
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(null=True, blank=True, **MONEY)
    country = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries"
    )
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    segment = models.CharField(max_length=16, choices=SegmentTier.choices, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [non_negative("annual_revenue", "Annual revenue")]

    def __str__(self) -> str:
        return self.name


class AccountAssignment(models.Model):
    """Which territory and owner an account had from `start` until `end` (exclusive; open-ended
    when empty). Written only by `pipeline.accounts.account_assign`."""

    account = models.ForeignKey("Account", on_delete=models.CASCADE, related_name="assignments")
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_history",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_history",
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, default="manual")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["account_id", "start", "id"]
        indexes = [models.Index(fields=["account", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                name="account_assignment_end_after_start",
                violation_error_message="An account assignment ends after it starts.",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(end__isnull=True),
                name="account_assignment_one_current",
                violation_error_message="An account has one current assignment.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.territory} for {self.owner} from {self.start}"
