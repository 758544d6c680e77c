"""The sales organisation: people with a role and a reporting line, teams, and the territory tree.

Both trees live here because every scope in the product (a manager's reporting tree, a territory
subtree) is cut from them.
"""

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class Role(models.TextChoices):
    REP = "rep", "Sales rep"
    MANAGER = "manager", "Sales manager"
    EXECUTIVE = "executive", "Executive"
    ADMIN = "admin", "Sales operations admin"


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REP)
    title = models.CharField(max_length=100, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    team = models.ForeignKey(
        "Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    hired_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(manager=F("id")),
                name="user_not_own_manager",
                violation_error_message="A person cannot be their own manager.",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        seen = {self.pk}
        boss = self.manager
        while boss is not None:
            if boss.pk in seen:
                raise ValidationError({"manager": "This reporting line would form a loop."})
            seen.add(boss.pk)
            boss = boss.manager


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TerritoryKind(models.TextChoices):
    REGION = "region", "Region"
    AREA = "area", "Area"
    TERRITORY = "territory", "Territory"


class Territory(models.Model):
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=TerritoryKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    closed_on = models.DateField(
        null=True, blank=True, help_text="First day the territory no longer takes accounts."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "territories"
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="territory_not_own_parent",
                violation_error_message="A territory cannot be its own parent.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        seen = {self.pk}
        node = self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "This parent would make the tree a loop."})
            seen.add(node.pk)
            node = node.parent

    def is_closed(self, on: date) -> bool:
        return self.closed_on is not None and self.closed_on <= on


class TerritoryAssignment(models.Model):
    """A rep works a territory from `start` until `end` (open-ended when empty)."""

    rep = models.ForeignKey(User, on_delete=models.CASCADE, related_name="territory_assignments")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="assignments")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    capacity = models.PositiveIntegerField(
        default=100, help_text="Accounts the rep can work in this territory."
    )

    class Meta:
        ordering = ["territory__name", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="assignment_end_after_start",
                violation_error_message="An assignment cannot end before it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rep} in {self.territory} from {self.start.isoformat()}"


class AuditEntry(models.Model):
    """Who changed which quota, territory, plan or person's role, when, from what to what."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=8)
    model = models.CharField(max_length=64, db_index=True)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(help_text="Field name to [old, new].")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at.isoformat()} {self.actor} {self.action} {self.model} {self.object_repr}"


class ApiToken(models.Model):
    """A key for integrations. Only its SHA-256 is stored; the key is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'BI nightly sync'.")
    prefix = models.CharField(max_length=8, help_text="First characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.user}"


class AccountAssignment(models.Model):
    """Which territory and owner an account had from `start` until `end` (exclusive; open-ended
    when empty). Written only by `territories.services.account_assign`."""

    account = models.ForeignKey(
        "pipeline.Account", on_delete=models.CASCADE, related_name="assignments"
    )
    territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="account_history"
    )
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="account_history"
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, default="manual")
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
        Territory,
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
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="rules")
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
        if None not in (self.minimum, self.maximum) and self.minimum > self.maximum:
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
        Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "account"], name="planned_account_once")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.territory} ({self.plan})"
