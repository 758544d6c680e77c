"""Filling the rollup tables from the raw rows: whole or for some days, always idempotent.

A fill deletes the rows of the days it fills and recomputes them in one transaction (one
INSERT ... SELECT), so a crashed or repeated fill leaves the same rows as one clean run.
"""

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, F, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from pipeline.crediting import CLOSED
from pipeline.cycle import CYCLE
from pipeline.models import Billing, Deal, StageKind
from rollups.models import DealCloseDay

# Rollup column: what it is on a closed deal. The order is the INSERT's.
DEAL_CLOSE_KEYS = {
    "day": F("closed_on"),
    "owner_id": F("closed_owner_id"),
    "manager_id": F("closed_manager_id"),
    "team_id": F("closed_team_id"),
    "territory_id": F("closed_territory_id"),
    "product_id": F("product_id"),
    "segment": F("account__segment"),
    "deal_type": F("type"),
    "won": Case(When(status=StageKind.WON, then=True), default=False, output_field=BooleanField()),
    "recurring": Case(
        When(product__billing=Billing.RECURRING, then=True),
        default=False,
        output_field=BooleanField(),
    ),
    "cycle_days": CYCLE,
}


F_MONEY = DealCloseDay._meta.get_field("amount")


def deal_close_source(days: Iterable[date] | None = None) -> QuerySet:
    """The closed deals grouped as `DealCloseDay` rows (of `days`, or of every day), each
    column as `k_<column>` (the names would clash with the deal's own fields)."""
    closed = Deal.objects.filter(status__in=CLOSED, closed_on__isnull=False)
    if days is not None:
        closed = closed.filter(closed_on__in=list(days))
    return (
        closed.order_by()
        .values(**{f"k_{name}": value for name, value in DEAL_CLOSE_KEYS.items()})
        .annotate(
            k_deals=Count("id"), k_amount=Coalesce(Sum("amount"), Value(0), output_field=F_MONEY)
        )
    )


def fill_deal_close_days(days: Iterable[date] | None = None) -> int:
    """Recompute the `DealCloseDay` rows of `days` (None: the whole table); rows written."""
    days = None if days is None else sorted(set(days))
    if days == []:
        return 0
    target = DealCloseDay.objects.all()
    if days is not None:
        target = target.filter(day__in=days)
    select, params = deal_close_source(days).query.sql_with_params()
    table = connection.ops.quote_name(DealCloseDay._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(name) for name in [*DEAL_CLOSE_KEYS, "deals", "amount"]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        target.delete()
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
        return cursor.rowcount


def deal_close_differences(days: Iterable[date] | None = None) -> set[date]:
    """The days whose `DealCloseDay` rows differ from what the raw deals give."""
    keys = [*DEAL_CLOSE_KEYS, "deals", "amount"]
    kept = DealCloseDay.objects.all()
    if days is not None:
        kept = kept.filter(day__in=list(days))
    stored = {tuple(row) for row in kept.values_list(*keys)}
    fresh = {tuple(row[f"k_{key}"] for key in keys) for row in deal_close_source(days)}
    return {row[0] for row in stored ^ fresh}
