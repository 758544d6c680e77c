"""The registry of rollup stats, their fill state, and the full check that repairs them.

Like Zulip's `COUNT_STATS`: each stat names its table, how to fill some days (or all) and how
to find the days that differ from the raw rows. `FillState` says when a stat was last filled
whole and whether a fill is running, so a fill cut short is seen and done again.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection, models, transaction
from django.utils import timezone

from rollups.fills import (
    deal_close_differences,
    deal_create_differences,
    fill_deal_close_days,
    fill_deal_create_days,
)
from rollups.models import DealCloseCell, DealCreateCell, FillState


@dataclass(frozen=True)
class Stat:
    key: str
    table: type[models.Model]
    fill: Callable[[Iterable[date] | None], int]
    differences: Callable[[Iterable[date] | None], set[date]]


STATS = {
    stat.key: stat
    for stat in [
        Stat("deals_closed", DealCloseCell, fill_deal_close_days, deal_close_differences),
        Stat("deals_created", DealCreateCell, fill_deal_create_days, deal_create_differences),
    ]
}


def stat_fill(key: str) -> int:
    """Fill one stat whole; its fill state says `started` until the fill has committed."""
    stat = STATS[key]
    _mark(key, FillState.STARTED)
    with transaction.atomic():
        rows = stat.fill(None)
        _mark(key, FillState.DONE)
    if connection.vendor == "postgresql":  # the planner's row counts of a refilled table
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(stat.table._meta.db_table)}")
    return rows


def stat_check(key: str) -> int:
    """Compare one stat with the raw rows, refill the days that differ; how many did."""
    stat = STATS[key]
    with transaction.atomic():
        wrong = stat.differences(None)
        stat.fill(wrong)
        FillState.objects.filter(stat=key).update(
            checked_at=timezone.now(), repaired_days=len(wrong)
        )
    return len(wrong)


def rollups_fill() -> dict[str, int]:
    """Every stat filled whole (after a migration, a restore or a bulk load)."""
    return {key: stat_fill(key) for key in STATS}


def rollups_check() -> dict[str, int]:
    """Every stat checked against the raw rows and repaired: the nightly task."""
    for key in STATS:
        if not FillState.objects.filter(stat=key, state=FillState.DONE).exists():
            stat_fill(key)
    return {key: stat_check(key) for key in STATS}


def is_filled(*keys: str) -> bool:
    """Whether every stat named has been filled whole (one query)."""
    done = FillState.objects.filter(stat__in=keys, state=FillState.DONE)
    return done.count() == len(set(keys))


def _mark(key: str, state: str) -> None:
    FillState.objects.update_or_create(
        stat=key, defaults={"state": state, "filled_at": timezone.now()}
    )
