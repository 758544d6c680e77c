"""Statements (what a rep earned in a period, line by line) and disputes about them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from compensation.models.plans import CompPlan, PayPeriod
from core.money import MONEY
from pipeline.models import Deal


class StatementStatus(models.TextChoices):
    OPEN = "open", "Open (rebuilt from live data)"
    CLOSED = "closed", "Closed (locked)"


class Statement(models.Model):
    """A rep's pay for one month or fiscal quarter. Open: rebuilt from the data on demand.
    Closed: its lines are locked; later changes arrive as adjustment lines."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="statements"
    )
    plan = models.ForeignKey(CompPlan, on_delete=models.PROTECT, related_name="statements")
    period = models.CharField(max_length=8, choices=PayPeriod.choices)
    start = models.DateField()
    end = models.DateField(help_text="The day after the period (exclusive).")
    currency = models.CharField(max_length=3)
    quota = models.DecimalField(null=True, blank=True, **MONEY)
    attained = models.DecimalField(
        max_digits=16, decimal_places=4, help_text="Credited amount (or deals) toward the quota."
    )
    attainment = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, help_text="Percent of quota."
    )
    total = models.DecimalField(**MONEY)
    draw_balance = models.DecimalField(
        default=0, help_text="Recoverable draw still owed after this period.", **MONEY
    )
    status = models.CharField(
        max_length=8, choices=StatementStatus.choices, default=StatementStatus.OPEN
    )
    built_at = models.DateTimeField()
    lines_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of the lines last built: a rebuild leaves identical lines alone.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start", "rep"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "period", "start"],
                name="statement_one_per_rep_and_period",
                violation_error_message="This rep already has a statement for that period.",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="statement_closed_at_only_when_closed",
                violation_error_message="A closed statement has a closing time; "
                "an open one has none.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.period} {self.start.isoformat()}"

    @property
    def is_closed(self) -> bool:
        return self.status == StatementStatus.CLOSED


class LineKind(models.TextChoices):
    COMMISSION = "commission", "Commission"
    SPIF = "spif", "SPIF"
    BONUS = "bonus", "Attainment bonus"
    CAP = "cap", "Cap"
    CLAWBACK = "clawback", "Clawback"
    DRAW = "draw", "Draw"
    DRAW_RECOVERY = "draw_recovery", "Draw recovery"
    ADJUSTMENT = "adjustment", "Adjustment"


class StatementLine(models.Model):
    """One amount on a statement and how it was reached: deal, base, tier, rate."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    component = models.CharField(max_length=100, blank=True)
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="statement_lines"
    )
    deal_name = models.CharField(max_length=200, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    credit = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Credit share, %."
    )
    base = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    tier = models.CharField(max_length=50, blank=True)
    rate = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    exact = models.DecimalField(
        max_digits=24, decimal_places=8, help_text="The amount before rounding to cents."
    )
    amount = models.DecimalField(**MONEY)
    explanation = models.CharField(max_length=400)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, help_text="Why an adjustment was made.")

    class Meta:
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"],
                name="statementline_unique_position",
                violation_error_message="Two lines of a statement cannot share a position.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""),
                name="statementline_adjustment_has_reason",
                violation_error_message="An adjustment says why it was made.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement} #{self.position} {self.kind} {self.amount}"


class DisputeKind(models.TextChoices):
    WRONG_CREDIT = "wrong_credit", "Wrong credit"
    WRONG_AMOUNT = "wrong_amount", "Wrong amount"
    MISSING_DEAL = "missing_deal", "Missing deal"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Dispute(models.Model):
    """A rep questions a line of a closed statement (or a deal missing from it)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="disputes")
    line = models.ForeignKey(
        StatementLine, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    kind = models.CharField(max_length=16, choices=DisputeKind.choices)
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="disputes"
    )
    expected = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="The value the rep expected (amount or %)."
    )
    actual = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="The value on the statement."
    )
    description = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes_raised"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=8, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    amount = models.DecimalField(
        null=True,
        blank=True,
        help_text="Accepted: what it pays, as an adjustment on the rep's next statement.",
        **MONEY,
    )
    adjustment = models.OneToOneField(
        StatementLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="settles"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="missing_deal") | Q(line__isnull=False),
                name="dispute_line_unless_missing_deal",
                violation_error_message="Say which line is wrong.",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (Q(status__in=["accepted", "rejected"], resolved_at__isnull=False)),
                name="dispute_resolved_when_decided",
                violation_error_message="A decided dispute has a resolution time; "
                "an open one has none.",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(resolution_note=""),
                name="dispute_decision_has_note",
                violation_error_message="A decision comes with a note.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.statement} ({self.status})"
