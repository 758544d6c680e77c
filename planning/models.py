"""Territory planning: assignment rules, the ideal-customer profile, and dated territory plans."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class AssignmentRule(models.Model):
    """Accounts matching every condition given go to `territory` (and `owner`, if set).

    Rules are tried in ascending `priority`; an account takes the first rule it matches.
    Empty conditions match everything; list conditions are comma-separated, case-insensitive.
    """

    name = models.CharField(max_length=100, unique=True)
    priority = models.PositiveIntegerField(unique=True, help_text="Lower numbers go first.")
    active = models.BooleanField(default=True)
    countries = models.CharField(max_length=500, blank=True, help_text="e.g. France, Germany")
    region = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Accounts currently anywhere in this part of the territory tree.",
    )
    industries = models.CharField(max_length=500, blank=True)
    min_employees = models.PositiveIntegerField(null=True, blank=True)
    max_employees = models.PositiveIntegerField(null=True, blank=True)
    min_revenue = models.DecimalField(null=True, blank=True, max_digits=14, decimal_places=2)
    max_revenue = models.DecimalField(null=True, blank=True, max_digits=14, decimal_places=2)
    accounts = models.ManyToManyField(
        "pipeline.Account", blank=True, related_name="+", help_text="Named accounts."
    )
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.PROTECT, related_name="rules"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["priority"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_employees__isnull=True)
                | Q(min_employees__isnull=True)
                | Q(max_employees__gte=F("min_employees")),
                name="rule_employee_range",
                violation_error_message="The employee range is upside down.",
            ),
            models.CheckConstraint(
                condition=Q(max_revenue__isnull=True)
                | Q(min_revenue__isnull=True)
                | Q(max_revenue__gte=F("min_revenue")),
                name="rule_revenue_range",
                violation_error_message="The revenue range is upside down.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority}. {self.name}"


class IcpAttribute(models.TextChoices):
    INDUSTRY = "industry", "Industry is one of"
    COUNTRY = "country", "Country is one of"
    EMPLOYEES = "employees", "Employees between"
    ANNUAL_REVENUE = "annual_revenue", "Annual revenue between"
    WON_REVENUE = "won_revenue", "Won revenue between"


class IcpCriterion(models.Model):
    """One weighted yes/no test of the ideal-customer score; the score is the weight met, in
    percent of all weights."""

    attribute = models.CharField(max_length=16, choices=IcpAttribute.choices)
    values = models.CharField(max_length=500, blank=True, help_text="Comma-separated.")
    minimum = models.DecimalField(null=True, blank=True, max_digits=14, decimal_places=2)
    maximum = models.DecimalField(null=True, blank=True, max_digits=14, decimal_places=2)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-weight", "id"]
        verbose_name_plural = "ICP criteria"

    def __str__(self) -> str:
        return f"{self.get_attribute_display()} ({self.weight})"

    def clean(self) -> None:
        super().clean()
        listed = self.attribute in (IcpAttribute.INDUSTRY, IcpAttribute.COUNTRY)
        if listed and not self.values.strip():
            raise ValidationError({"values": "List the values that match."})
        if not listed and self.minimum is None and self.maximum is None:
            raise ValidationError({"minimum": "Give a minimum, a maximum or both."})
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValidationError({"maximum": "The maximum is below the minimum."})


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class TerritoryPlan(models.Model):
    """A draft of where every account should be (next year's territories, say), compared with
    today's assignments and activated on a date; the active plan is the one last activated."""

    name = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    effective_on = models.DateField(
        null=True, blank=True, help_text="The day it takes effect (activated then, if later)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="active"),
                name="territory_plan_one_active",
                violation_error_message="Only one territory plan is active.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlannedAccount(models.Model):
    """Where a plan puts one account."""

    plan = models.ForeignKey(TerritoryPlan, on_delete=models.CASCADE, related_name="accounts")
    account = models.ForeignKey("pipeline.Account", on_delete=models.CASCADE, related_name="+")
    territory = models.ForeignKey(
        "territories.Territory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "account"], name="planned_account_once")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.territory} ({self.plan})"
