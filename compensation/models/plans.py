"""Compensation plans, their components and rate tables, who is on which plan, deal crediting."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core.money import MONEY, Digits, default_currency, non_negative
from pipeline.models import Deal
from quotas.models import QuotaMetric

PERCENT: Digits = {"max_digits": 7, "decimal_places": 2}
RATE: Digits = {"max_digits": 9, "decimal_places": 4}


class PayPeriod(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Fiscal quarter"


class Base(models.TextChoices):
    BOOKINGS = "bookings", "Bookings (won amount)"
    RECURRING = "recurring", "Recurring revenue (won amount of recurring products)"
    MARGIN = "margin", "Margin (won amount x the plan's margin %)"


class ComponentKind(models.TextChoices):
    COMMISSION = "commission", "Commission (rate table by attainment tier)"
    SPIF = "spif", "SPIF (bonus per matching deal)"
    BONUS = "bonus", "Attainment bonus (at thresholds)"


def ends_after_start(name: str, start: str = "start", end: str = "end") -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}),
        name=name,
        violation_error_message="The end cannot come before the start.",
    )


class CompPlan(models.Model):
    """How a rep is paid for one month or fiscal quarter, from `start` until `end` (inclusive)."""

    name = models.CharField(max_length=100, unique=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Empty while in force.")
    period = models.CharField(max_length=8, choices=PayPeriod.choices, default=PayPeriod.MONTH)
    quota_metric = models.CharField(
        max_length=16,
        choices=QuotaMetric.choices,
        default=QuotaMetric.BOOKINGS,
        help_text="Attainment is measured against the rep's quota on this metric.",
    )
    currency = models.CharField(max_length=3, default=default_currency)
    margin_percent = models.DecimalField(
        default=0, help_text="Margin as a percent of amount, for margin bases.", **PERCENT
    )
    cap = models.DecimalField(
        null=True, blank=True, help_text="Most the plan pays in a period.", **MONEY
    )
    draw = models.DecimalField(
        null=True, blank=True, help_text="Guaranteed minimum pay per period.", **MONEY
    )
    draw_recoverable = models.BooleanField(
        default=True, help_text="A draw paid is recovered from later earnings above the draw."
    )
    team_override = models.BooleanField(
        default=False,
        help_text="A manager's override: measures the deals their team closed (credited at "
        "close) against the quota of the team they manage, instead of their own.",
    )
    clawback_days = models.PositiveIntegerField(
        default=0,
        help_text="Take back what a deal paid when it is cancelled or its customer churns "
        "within this many days of closing; 0 never claws back.",
    )

    class Meta:
        ordering = ["-start", "name"]
        constraints = [
            ends_after_start("compplan_end_after_start"),
            non_negative("margin_percent", "A margin"),
            models.CheckConstraint(
                condition=Q(margin_percent__lte=100),
                name="compplan_margin_percent_at_most_100",
                violation_error_message="A margin is at most 100 %%.",
            ),
            non_negative("cap", "A cap"),
            non_negative("draw", "A draw"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanComponent(models.Model):
    """One way a plan pays: a commission, a SPIF or an attainment bonus."""

    plan = models.ForeignKey(CompPlan, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=ComponentKind.choices)
    order = models.PositiveSmallIntegerField(default=0)
    base = models.CharField(
        max_length=16, choices=Base.choices, blank=True, help_text="What a commission pays on."
    )
    cap = models.DecimalField(
        null=True, blank=True, help_text="Most this component pays in a period.", **MONEY
    )
    spif_product = models.ForeignKey(
        "pipeline.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spif_from = models.DateField(null=True, blank=True, help_text="Deals closed on or after.")
    spif_to = models.DateField(null=True, blank=True, help_text="Deals closed on or before.")
    spif_min_amount = models.DecimalField(
        null=True, blank=True, help_text="Deals of at least this amount.", **MONEY
    )
    spif_fixed = models.DecimalField(
        null=True, blank=True, help_text="Pays this per matching deal.", **MONEY
    )
    spif_percent = models.DecimalField(
        null=True, blank=True, help_text="Pays this percent of the credited amount.", **RATE
    )

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="plancomponent_unique_name",
                violation_error_message="A plan's components have different names.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="commission") | ~Q(base=""),
                name="plancomponent_commission_has_base",
                violation_error_message="A commission pays on a base.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="spif")
                | Q(spif_fixed__isnull=False, spif_percent__isnull=True)
                | Q(spif_fixed__isnull=True, spif_percent__isnull=False),
                name="plancomponent_spif_fixed_or_percent",
                violation_error_message="A SPIF pays either a fixed amount or a percent.",
            ),
            ends_after_start("plancomponent_spif_window", "spif_from", "spif_to"),
            non_negative("cap", "A cap"),
            non_negative("spif_fixed", "A SPIF amount"),
            non_negative("spif_percent", "A SPIF percent"),
            non_negative("spif_min_amount", "A minimum deal size"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.name}"


class RateTier(models.Model):
    """A commission rate from an attainment percent up to the next tier's (marginal)."""

    component = models.ForeignKey(PlanComponent, on_delete=models.CASCADE, related_name="tiers")
    floor = models.DecimalField(help_text="Attainment % where this tier starts.", **PERCENT)
    rate = models.DecimalField(help_text="Percent of the base in this tier.", **RATE)

    class Meta:
        ordering = ["component", "floor"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "floor"],
                name="ratetier_unique_floor",
                violation_error_message="Two tiers of a component cannot start at the same %%.",
            ),
            non_negative("floor", "A tier's attainment"),
            non_negative("rate", "A rate"),
        ]

    def __str__(self) -> str:
        return f"{self.rate} % from {self.floor} %"


class BonusThreshold(models.Model):
    """Reaching this attainment pays `amount` (every threshold reached pays its own)."""

    component = models.ForeignKey(
        PlanComponent, on_delete=models.CASCADE, related_name="thresholds"
    )
    attainment = models.DecimalField(**PERCENT)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["component", "attainment"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "attainment"],
                name="bonusthreshold_unique_attainment",
                violation_error_message="Two thresholds of a bonus cannot be at the same %%.",
            ),
            non_negative("attainment", "An attainment"),
            non_negative("amount", "A bonus"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} at {self.attainment} %"


class PlanAssignment(models.Model):
    """A rep is paid by a plan from `start` until `end` (inclusive; open-ended when empty)."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_assignments"
    )
    plan = models.ForeignKey(CompPlan, on_delete=models.PROTECT, related_name="assignments")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["rep", "start"]
        constraints = [
            ends_after_start("planassignment_end_after_start"),
            models.UniqueConstraint(
                fields=["rep", "start"],
                name="planassignment_unique_start",
                violation_error_message="This rep already has a plan starting that day.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep} on {self.plan} from {self.start.isoformat()}"

    def clean(self) -> None:
        super().clean()
        if not (self.rep_id and self.start):
            return
        others = PlanAssignment.objects.filter(rep_id=self.rep_id).exclude(pk=self.pk)
        if self.end:
            others = others.filter(start__lte=self.end)
        if others.filter(Q(end__isnull=True) | Q(end__gte=self.start)).exists():
            raise ValidationError("This rep is already on a plan for part of these dates.")


class DealCredit(models.Model):
    """A rep's share of a deal. A deal without rows credits its owner 100 %; with rows, the
    shares add up to 100 % (checked by `deal_credit_set`, the one write path)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="credits")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deal_credits"
    )
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["deal", "-percent", "rep"]
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "rep"],
                name="dealcredit_one_row_per_rep",
                violation_error_message="A rep has one share of a deal.",
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lte=100),
                name="dealcredit_percent_in_range",
                violation_error_message="A share is more than 0 %% and at most 100 %%.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.percent} % of {self.deal}"


class DealSplit(Deal):
    """A deal seen from compensation: where sales operations splits its credit."""

    class Meta:
        proxy = True
        verbose_name = "deal split"
