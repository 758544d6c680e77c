"""Keeping the rollups current: the days a transaction changed are refilled when it commits.

The deal history writer reports the close days every deal write touches (before and after)
and the deals it wrote, whose created days it refills too; a deleted deal, an account's or a
product's save report the days of their deals, a person's new manager or team the created
days of their open deals. The days gather per transaction and are refilled once, right after
the commit; whatever escapes (raw SQL, an account moved by a queryset update) the nightly
check finds and repairs.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from pipeline.crediting import CLOSED
from pipeline.models import Deal, StageKind
from rollups.fills import fill_deal_close_days, fill_deal_create_days

FILLS = {"closed": fill_deal_close_days, "created": fill_deal_create_days}
LINE_FIELDS = {"manager", "manager_id", "team", "team_id"}
CHUNK = 10_000  # ids per query (SQLite takes at most 32,766 parameters)


def days_changed(days: Iterable[date | str], stat: str = "closed") -> None:
    """Refill `days` of the `stat` rollup ("closed" or "created") when the current
    transaction commits (at once outside one)."""
    queued = connection.in_atomic_block and any(
        entry[1] is _refill for entry in connection.run_on_commit
    )
    if not queued:  # days left from a rolled-back transaction are no longer changed
        for pending in _pending().values():
            pending.clear()
    # A deal given its dates as text before saving still holds the text.
    _pending()[stat].update(d if isinstance(d, date) else date.fromisoformat(d) for d in days)
    if not queued:
        transaction.on_commit(_refill)


def _pending() -> dict[str, set[date]]:
    """The days this connection's transaction changed (each thread has its own connection)."""
    return connection.__dict__.setdefault("rollup_days", {stat: set() for stat in FILLS})


def _refill() -> None:
    for stat, pending in _pending().items():
        days = set(pending)
        pending.clear()
        FILLS[stat](days)


def _created_days(deals: QuerySet[Deal]) -> list[date]:
    return list(deals.order_by().values_list("created_on", flat=True).distinct())


def on_deals_written(
    sender: Any,
    days: set[date],
    deals: Iterable[int] = (),
    created_days: Iterable[date] = (),
    **kw: Any,
) -> None:
    days_changed(days)
    days_changed(created_days, "created")
    ids = sorted(deals)
    for start in range(0, len(ids), CHUNK):
        chunk = Deal.objects.filter(pk__in=ids[start : start + CHUNK])
        days_changed(_created_days(chunk), "created")


def on_deal_deleted(sender: Any, instance: Deal, **kwargs: Any) -> None:
    if instance.closed_on is not None:
        days_changed([instance.closed_on])
    days_changed([instance.created_on], "created")


def on_grouping_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """An account (segment, territory) or a product (billing) regroups its deals."""
    if created:
        return
    field = "account" if sender._meta.model_name == "account" else "product"
    deals = Deal.objects.filter(**{field: instance})
    closed = deals.filter(status__in=CLOSED)
    days = closed.order_by().values_list("closed_on", flat=True).distinct()
    days_changed(day for day in days if day is not None)
    if field == "account":
        days_changed(_created_days(deals), "created")


def on_person_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """A person's manager or team, which their open deals count for, may have changed."""
    fields = kwargs.get("update_fields")
    if created or (fields is not None and not LINE_FIELDS & set(fields)):
        return
    open_deals = Deal.objects.filter(owner=instance, status=StageKind.OPEN)
    days_changed(_created_days(open_deals), "created")
