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


class CreditedCell(models.Model):
    """The key both deal rollups share: a day or a month, and the group a deal is credited to
    (owner, manager, team and territory) with its product and account segment."""

    DAY = "day"
    MONTH = "month"

    grain = models.CharField(max_length=5, choices=[(DAY, "day"), (MONTH, "month")])
    day = models.DateField()  # the month's first for a month
    owner_id = models.IntegerField(null=True)
    manager_id = models.IntegerField(null=True)
    team_id = models.IntegerField(null=True)
    territory_id = models.IntegerField(null=True)
    product_id = models.IntegerField(null=True)
    # None: a deal without an account ("" is an account without a segment), as the raw rows.
    segment = models.CharField(max_length=16, null=True)  # noqa: DJ001

    class Meta:
        abstract = True


class DealCloseCell(CreditedCell):
    """Deals closed on one day or in one month, per everything a scope or a grouping reads.

    One row per grain (day or month) x day (the month's first for a month) x closed owner,
    manager, team and territory x product x account segment, holding the won and lost deals,
    their revenue split as the KPIs need it, and the sales-cycle histogram (`rollups.cycles`),
    so a median over any rows of this table is exact. A period reads its whole months from
    month rows and its other days from day rows (`cells_in`).
    """

    won = models.IntegerField()
    lost = models.IntegerField()
    revenue = models.DecimalField(max_digits=30, decimal_places=2)
    revenue_new = models.DecimalField(max_digits=30, decimal_places=2)
    revenue_recurring = models.DecimalField(max_digits=30, decimal_places=2)
    new_recurring = models.DecimalField(max_digits=30, decimal_places=2)
    cycle_days = models.BigIntegerField()
    cycles = models.TextField()

    class Meta:
        indexes = [
            models.Index(fields=["grain", "day"], name="dealclosecell_grain_day"),
            models.Index(fields=["owner_id", "grain", "day"], name="dealclosecell_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day}: {self.won} won, {self.lost} lost"


class DealCreateCell(CreditedCell):
    """Deals created on one day or in one month (opportunities), per credited group.

    Keyed as `DealCloseCell` is (`CreditedCell`), credited as every figure is: a
    closed deal to its owner, manager, team and territory at close, an open one to its owner
    now, their manager and team now, and its territory (else its account's).
    """

    deals = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["grain", "day"], name="dealcreatecell_grain_day"),
            models.Index(fields=["owner_id", "grain", "day"], name="dealcreatecell_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day}: {self.deals} deals created"
