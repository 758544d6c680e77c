"""Keeping the rollups current: the days a transaction changed are refilled when it commits.

The deal history writer reports the close days every deal write touches (before and after);
a deleted deal, an account's or a product's save report the days of their closed deals. The
days gather per transaction and are refilled once, right after the commit; whatever escapes
(raw SQL, an account moved by a queryset update) the nightly check finds and repairs.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction

from pipeline.crediting import CLOSED
from pipeline.models import Deal
from rollups.fills import fill_deal_close_days


def days_changed(days: Iterable[date]) -> None:
    """Refill `days` when the current transaction commits (at once outside one)."""
    queued = connection.in_atomic_block and any(
        entry[1] is _refill for entry in connection.run_on_commit
    )
    if not queued:  # days left from a rolled-back transaction are no longer changed
        _pending().clear()
    # A deal given its close day as text before saving still holds the text.
    _pending().update(day if isinstance(day, date) else date.fromisoformat(day) for day in days)
    if not queued:
        transaction.on_commit(_refill)


def _pending() -> set[date]:
    """The days this connection's transaction changed (each thread has its own connection)."""
    return connection.__dict__.setdefault("rollup_days", set())


def _refill() -> None:
    days = set(_pending())
    _pending().clear()
    fill_deal_close_days(days)


def on_deals_written(sender: Any, days: set[date], **kwargs: Any) -> None:
    days_changed(days)


def on_deal_deleted(sender: Any, instance: Deal, **kwargs: Any) -> None:
    if instance.closed_on is not None:
        days_changed([instance.closed_on])


def on_grouping_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """An account (segment) or a product (billing) regroups its closed deals."""
    if created:
        return
    field = "account" if sender._meta.model_name == "account" else "product"
    closed = Deal.objects.filter(**{field: instance}, status__in=CLOSED)
    days = closed.order_by().values_list("closed_on", flat=True).distinct()
    days_changed(day for day in days if day is not None)
