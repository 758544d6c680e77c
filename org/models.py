"""The people of the sales organisation: roles, reporting lines, teams, API tokens, audit log."""

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
    # Not stored: the day a change of manager or team saved next takes effect (default today).
    effective_from: date | None = None

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


class ReportingLine(models.Model):
    """Whom a person reported to and which team they were in, from `start` (None: from the
    beginning of the records) until `end` (exclusive; None: still). Kept by
    `org.services.reporting_lines_sync` on every change of a person's manager or team."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reporting_lines")
    # A line is history: a manager or team named in one is deleted only with the line.
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)

    class Meta:
        # Oldest first on every database: the line from the beginning of the records leads.
        ordering = ["person_id", F("start").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gt=F("start")),
                name="reporting_line_end_after_start",
                violation_error_message="A reporting line ends after it starts.",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end__isnull=True),
                name="reporting_line_one_current",
                violation_error_message="A person has one current reporting line.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} under {self.manager_id} in {self.team_id} from {self.start}"


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
    reason = models.CharField(max_length=500, blank=True, help_text="Why, where it was asked.")

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
