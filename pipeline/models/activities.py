"""What reps do: calls, emails, follow-ups, appointments, leads, quotes."""

from django.conf import settings
from django.db import models

from pipeline.models.accounts import Account
from pipeline.models.deals import Deal


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
