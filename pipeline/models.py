"""Accounts, products, stages, deals and their history, activities, subscriptions, surveys."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Round

from core.money import MONEY, default_currency, non_negative
from pipeline.crediting import CREDIT_FIELDS, credit_at_close
from pipeline.history import DealQuerySet, record_deal_write


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


class DealType(models.TextChoices):
    NEW_BUSINESS = "new_business", "New business"
    EXPANSION = "expansion", "Expansion"
    RENEWAL = "renewal", "Renewal"


class Deal(models.Model):
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    currency = models.CharField(max_length=3, default=default_currency)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    # Copied from the stage on every write, so the database can hold the closed-date rule.
    status = models.CharField(max_length=8, choices=StageKind.choices, editable=False)
    forecast_category = models.CharField(
        max_length=16, choices=ForecastCategory.choices, blank=True
    )
    type = models.CharField(max_length=16, choices=DealType.choices, default=DealType.NEW_BUSINESS)
    created_on = models.DateField(help_text="Created or first engaged.")
    expected_close_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    lost_reason = models.CharField(max_length=200, blank=True)
    # Stamped by the model layer when the deal closes (see territories/crediting.py), so reports
    # on closed deals keep the territory and owner in force then.
    closed_territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_on", "id"]
        indexes = [
            # A rep's (or a team's) deals closed, created or open in a period: a bitmap of
            # these three, not every page holding one of their deals.
            models.Index(fields=["owner", "status", "closed_on"]),
            models.Index(fields=["owner", "created_on"], name="deal_owner_created"),
            # The sales-cycle query (deals closed in a period) is answered from these alone on
            # PostgreSQL: closed deals in owner order, so medians per rep need no sort, and by
            # close date for every other grouping.
            models.Index(
                fields=["owner", "closed_on"],
                include=["created_on"],
                condition=Q(status__in=["won", "lost"]),
                name="deal_closed_by_owner",
            ),
            models.Index(
                fields=["status", "closed_on"],
                include=["owner", "created_on", "closed_territory"],
                name="deal_closed_cover",
            ),
            models.Index(fields=["created_on"]),
        ]
        constraints = [
            non_negative("amount", "A deal amount"),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status__in=["won", "lost"], closed_on__isnull=False),
                name="deal_closed_date_only_when_closed",
                violation_error_message="A won or lost deal needs a closed date; "
                "an open deal cannot have one.",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("created_on")),
                name="deal_closed_not_before_created",
                violation_error_message="A deal cannot close before it was created.",
            ),
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._loaded_stage_id = self.stage_id

    def __str__(self) -> str:
        return self.name

    def save(self, *args, changed_by=None, changed_at=None, **kwargs) -> None:
        """Save and append a history row for whatever tracked field this write changed."""
        self.sync_from_stage()
        credit_at_close([self])
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *CREDIT_FIELDS}
        record_deal_write(
            self,
            lambda: super(Deal, self).save(*args, **kwargs),
            changed_by=changed_by,
            changed_at=changed_at,
        )

    def sync_from_stage(self) -> None:
        """Carry the stage's kind onto the deal; a new stage brings its default forecast category.

        A category set by hand on an open deal holds until the deal changes stage.
        """
        self.status = self.stage.kind
        moved = self.stage_id != self._loaded_stage_id
        if moved or not self.forecast_category or self.status != StageKind.OPEN:
            self.forecast_category = self.stage.forecast_category
        self._loaded_stage_id = self.stage_id

    def full_clean(self, *args, **kwargs) -> None:
        if self.stage_id:
            self.sync_from_stage()
        super().full_clean(*args, **kwargs)


class DealChange(models.Model):
    """One write to a deal: the tracked fields as they stood after it, and which ones changed.

    Append-only. The pipeline as of any past moment is each deal's latest row at that moment.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_fields = models.CharField(max_length=200)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    currency = models.CharField(max_length=3)
    expected_close_on = models.DateField(null=True, blank=True)
    forecast_category = models.CharField(max_length=16, choices=ForecastCategory.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["deal_id", "changed_at", "id"]
        indexes = [models.Index(fields=["deal", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.deal_id} @ {self.changed_at.isoformat()}: {self.changed_fields}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("Deal history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Deal history is append-only.")


class ActivityKind(models.TextChoices):
    LEAD = "lead", "Lead"
    CALL = "call", "Call"
    APPOINTMENT = "appointment", "Appointment"
    QUOTE = "quote", "Quote sent"
    FOLLOW_UP = "follow_up", "Follow-up"
    EMAIL = "email", "Email"


class Activity(models.Model):
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField()
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["rep", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.rep} at {self.occurred_at.isoformat()}"


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


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    VALID = "valid", "Valid (dry run)"
    INVALID = "invalid", "Invalid: nothing changed"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed: nothing changed"


class ImportRun(models.Model):
    """One CSV import, dry run or applied: who, when, which file, what it did or found wrong."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    source_path = models.CharField(max_length=500, help_text="Where the file is read from.")
    kind = models.CharField(max_length=32)
    mapping = models.CharField(
        max_length=500, blank=True, help_text="A mapping file; empty: headers matched by name."
    )
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default="queued")
    rows = models.PositiveIntegerField(default=0, help_text="Data rows read so far.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first errors found.")
    notes = models.JSONField(default=dict, blank=True, help_text="Rows created from a name.")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        mode = "dry run" if self.dry_run else "import"
        return f"{self.kind} {mode} of {self.file_name} ({self.get_status_display()})"


class ImportedKey(models.Model):
    """Keys an import has read so far, so a duplicate is found without holding them in memory."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    line = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="imported_key_once")]

    def __str__(self) -> str:
        return f"{self.key} (line {self.line} of import {self.run_id})"
