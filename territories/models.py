"""The territory tree and which rep works which territory when."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


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

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="territory_assignments"
    )
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
