from django.conf import settings
from django.db import models

from pipeline.models import MONEY


class PipelineSnapshot(models.Model):
    """Open pipeline per owner and stage as it stood at the end of `taken_on`."""

    taken_on = models.DateField(db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.ForeignKey("pipeline.Stage", on_delete=models.CASCADE, related_name="+")
    deals = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)
    weighted_amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["taken_on", "owner_id", "stage__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["taken_on", "owner", "stage"],
                name="snapshot_one_row_per_owner_stage_day",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.taken_on.isoformat()} {self.owner_id} {self.stage_id}: {self.amount}"
