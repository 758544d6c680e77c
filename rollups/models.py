"""The data version, and the daily rollups of the sales data with their fill state."""

from django.db import models


class DataVersion(models.Model):
    """One row: how many committed transactions have written counted data (see `version`)."""

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.number}"


class FillState(models.Model):
    """How far one stat of the registry is filled, and whether a fill is running (Zulip's)."""

    DONE = "done"
    STARTED = "started"

    stat = models.CharField(max_length=40, unique=True)
    state = models.CharField(max_length=8, choices=[(DONE, "done"), (STARTED, "started")])
    filled_at = models.DateTimeField()
    # The last full check: how many rollup rows it found wrong, and repaired.
    checked_at = models.DateTimeField(null=True, blank=True)
    repaired_days = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.stat}: {self.state} at {self.filled_at:%Y-%m-%d %H:%M}"


class DealCloseDay(models.Model):
    """Deals closed on one day, per everything they are credited and grouped by at close.

    One row per day x closed owner, manager, team and territory x product x account segment x
    deal type x won or lost x recurring or not x days from created to closed: the last key is
    the sales-cycle histogram, so a median over any rows of this table is exact.
    """

    day = models.DateField()
    owner_id = models.IntegerField(null=True)
    manager_id = models.IntegerField(null=True)
    team_id = models.IntegerField(null=True)
    territory_id = models.IntegerField(null=True)
    product_id = models.IntegerField(null=True)
    # None: a deal without an account ("" is an account without a segment), as the raw rows.
    segment = models.CharField(max_length=16, null=True)  # noqa: DJ001
    deal_type = models.CharField(max_length=16)
    won = models.BooleanField()
    recurring = models.BooleanField()
    cycle_days = models.IntegerField()
    deals = models.IntegerField()
    amount = models.DecimalField(max_digits=30, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="dealcloseday_day"),
            models.Index(fields=["owner_id", "day"], name="dealcloseday_owner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.deals} deals"
