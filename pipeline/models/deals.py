"""Deals and their append-only history."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.money import MONEY, default_currency, non_negative
from pipeline.crediting import CREDIT_FIELDS, credit_at_close
from pipeline.history import DealQuerySet, record_deal_write
from pipeline.models.accounts import Account
from pipeline.models.catalog import ForecastCategory, Product, Stage, StageKind


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
    probability = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The deal's own win probability, percent; empty: its stage's.",
    )
    lead_source = models.CharField(max_length=100, blank=True)
    type = models.CharField(max_length=16, choices=DealType.choices, default=DealType.NEW_BUSINESS)
    created_on = models.DateField(help_text="Created or first engaged.")
    expected_close_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    lost_reason = models.CharField(max_length=200, blank=True)
    # Stamped by the model layer when the deal closes (see territories/crediting.py), so reports
    # on closed deals keep the territory and owner in force then: what they name can't be deleted.
    closed_territory = models.ForeignKey(
        "territories.Territory",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    closed_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    # The closer's manager and team on the close date (their reporting line then).
    closed_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    closed_team = models.ForeignKey(
        "org.Team",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.RESTRICT,
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
            # PostgreSQL: closed deals in closer order, so medians per rep need no sort, and by
            # close date for every other grouping.
            models.Index(
                fields=["closed_owner", "closed_on"],
                include=["created_on"],
                condition=Q(status__in=["won", "lost"]),
                name="deal_closed_by_closer",
            ),
            models.Index(
                fields=["status", "closed_on"],
                include=["closed_owner", "created_on", "closed_territory"],
                name="deal_closed_cover",
            ),
            # The open pipeline by owner, read from this alone on PostgreSQL while the
            # closed-deal and opportunity figures come from the rollups.
            models.Index(
                fields=["owner"],
                include=["id", "status", "amount", "probability", "stage", "expected_close_on"],
                condition=Q(status="open"),
                name="deal_open_cover",
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
                condition=Q(probability__lte=100),
                name="deal_probability_percent",
                violation_error_message="A win probability is a percent from 0 to 100.",
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
    A deal imported without history has a first row without a stage: it was open from its
    created date, in a stage nobody recorded.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_fields = models.CharField(max_length=200)
    stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Empty: open in a stage the source did not record.",
    )  # fmt: skip
    status = models.CharField(max_length=8, choices=StageKind.choices)
    closed_on = models.DateField(null=True, blank=True)
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    currency = models.CharField(max_length=3)
    expected_close_on = models.DateField(null=True, blank=True)
    forecast_category = models.CharField(
        max_length=16, choices=ForecastCategory.choices, blank=True
    )
    probability = models.PositiveSmallIntegerField(null=True, blank=True)
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
