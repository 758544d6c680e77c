"""Filling the rollup tables from the raw rows: whole or for some days, always idempotent.

A fill deletes the rows of the days it fills (and of their months) and recomputes them in one
transaction, so a crashed or repeated fill leaves the same rows as one clean run. Each grain is
one INSERT ... SELECT of two levels: the deals grouped per cell and sales-cycle length, then
per cell with the lengths joined into its histogram.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from core.periods import add_months
from pipeline.crediting import (
    CLOSED,
    CREDITED_MANAGER,
    CREDITED_OWNER,
    CREDITED_TEAM,
    CREDITED_TERRITORY,
)
from pipeline.cycle import CYCLE
from pipeline.models import Billing, Deal, DealType, StageKind
from rollups.cycles import joined_sql, normal
from rollups.models import DealCloseCell, DealCreateCell

# Rollup column: what it is on a closed deal (the day is the grain's).
CELL_KEYS = {
    "owner_id": F("closed_owner_id"),
    "manager_id": F("closed_manager_id"),
    "team_id": F("closed_team_id"),
    "territory_id": F("closed_territory_id"),
    "product_id": F("product_id"),
    "segment": F("account__segment"),
}
WON = Q(status=StageKind.WON)
NEW = Q(type=DealType.NEW_BUSINESS)
RECURRING = Q(product__billing=Billing.RECURRING)
MONEY = {
    "revenue": WON,
    "revenue_new": WON & NEW,
    "revenue_recurring": WON & RECURRING,
    "new_recurring": WON & NEW & RECURRING,
}
MEASURES = ["won", "lost", *MONEY, "cycle_days", "cycles"]
COLUMNS = ["grain", "day", *CELL_KEYS, *MEASURES]
F_MONEY = DealCloseCell._meta.get_field("revenue")
CENT = Decimal("0.01")


def _by_cycle(deals: QuerySet[Deal], grain: str) -> QuerySet:
    """Closed deals per cell of `grain` and sales-cycle length, named `k_<column>`."""
    day: F | TruncMonth = F("closed_on")
    if grain == DealCloseCell.MONTH:
        day = TruncMonth("closed_on", output_field=DateField())
    keys = {f"k_{name}": value for name, value in CELL_KEYS.items()}
    money = {
        f"k_{name}": Coalesce(Sum("amount", filter=when), Value(0), output_field=F_MONEY)
        for name, when in MONEY.items()
    }
    return (
        deals.order_by()
        .values(k_day=day, **keys, k_cycle=CYCLE)
        .annotate(k_won=Count("id", filter=WON), k_lost=Count("id", filter=~WON), **money)
    )


def cell_source(deals: QuerySet[Deal], grain: str) -> tuple[str, tuple]:
    """SELECT of the cells of `grain` for `deals` (closed ones), in `COLUMNS` order."""
    inner, params = _by_cycle(deals, grain).query.sql_with_params()
    q = connection.ops.quote_name
    keys = ", ".join(q(f"k_{name}") for name in ["day", *CELL_KEYS])
    deals_n = f"({q('k_won')} + {q('k_lost')})"
    pair = f"CAST({q('k_cycle')} AS TEXT) || ' ' || CAST({deals_n} AS TEXT)"
    sums = ", ".join(f"SUM({q(f'k_{name}')})" for name in ["won", "lost", *MONEY])
    select = (
        f"SELECT %s, {keys}, {sums}, SUM({q('k_cycle')} * {deals_n}), "
        f"{joined_sql(pair, connection.vendor)} FROM ({inner}) cells GROUP BY {keys}"
    )
    return select, (grain, *params)


def _dated(deals: QuerySet[Deal], field: str, days: list[date] | None, grain: str) -> QuerySet:
    """`deals` whose `field` is one of `days` (at the month grain: in one of their months)."""
    if days is None:
        return deals.filter(**{f"{field}__isnull": False})
    if grain == DealCloseCell.DAY:
        return deals.filter(**{f"{field}__in": days})
    months = Q()
    for first in {day.replace(day=1) for day in days}:
        months |= Q(**{f"{field}__gte": first, f"{field}__lt": add_months(first, 1)})
    return deals.filter(months)


def _closed(days: list[date] | None, grain: str) -> QuerySet[Deal]:
    return _dated(Deal.objects.filter(status__in=CLOSED), "closed_on", days, grain)


def _cells(model: type[DealCloseCell | DealCreateCell], days: list[date] | None) -> QuerySet:
    """The rollup rows a fill of `days` rewrites: those days, and their months."""
    if days is None:
        return model.objects.all()
    months = {day.replace(day=1) for day in days}
    return model.objects.filter(
        Q(grain=DealCloseCell.DAY, day__in=days) | Q(grain=DealCloseCell.MONTH, day__in=months)
    )


GRAINS = (DealCloseCell.DAY, DealCloseCell.MONTH)
Source = Callable[[list[date] | None, str], tuple[str, tuple]]


def _rewrite(
    model: type[DealCloseCell | DealCreateCell],
    columns: list[str],
    days: Iterable[date] | None,
    source: Source,
) -> int:
    """Delete the rows of `days` and their months (None: all) and insert them afresh from
    `source` (days, grain -> SELECT in `columns` order), in one transaction; rows written."""
    days = None if days is None else sorted(set(days))
    if days == []:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        _cells(model, days).delete()
        for grain in GRAINS:
            select, params = source(days, grain)
            cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)
            written += cursor.rowcount
    return written


def fill_deal_close_days(days: Iterable[date] | None = None) -> int:
    """Recompute the `DealCloseCell` rows of `days` and their months (None: the whole table);
    rows written."""
    return _rewrite(DealCloseCell, COLUMNS, days, lambda d, g: cell_source(_closed(d, g), g))


def deal_close_differences(days: Iterable[date] | None = None) -> set[date]:
    """The days whose `DealCloseCell` rows (or their month's) differ from the raw deals."""
    days = None if days is None else sorted(set(days))
    stored = {_normal(row) for row in _cells(DealCloseCell, days).values_list(*COLUMNS)}
    fresh: set[tuple] = set()
    with connection.cursor() as cursor:
        for grain in GRAINS:
            cursor.execute(*cell_source(_closed(days, grain), grain))
            fresh |= {_normal(row) for row in cursor.fetchall()}
    return {row[1] for row in stored ^ fresh}


def _normal(row: Any) -> tuple:
    """A cell as one spelling: dates as dates, money to the cent, a sorted histogram."""
    grain, day, *rest = row
    if isinstance(day, datetime):  # PostgreSQL truncates a date to a month as a timestamp
        day = day.date()
    elif not isinstance(day, date):  # SQLite gives text
        day = date.fromisoformat(str(day)[:10])
    keys, counts, money = rest[: len(CELL_KEYS)], rest[len(CELL_KEYS) :][:2], rest[-6:-2]
    cents = tuple(Decimal(str(value)).quantize(CENT) for value in money)
    return (grain, day, *keys, *(int(n) for n in counts), *cents, int(rest[-2]), normal(rest[-1]))


# The groups of a deal created in a cell: credited as every figure is (`pipeline.crediting`).
CREATE_KEYS = {
    "owner_id": CREDITED_OWNER,
    "manager_id": CREDITED_MANAGER,
    "team_id": CREDITED_TEAM,
    "territory_id": CREDITED_TERRITORY,
    "product_id": F("product_id"),
    "segment": F("account__segment"),
}
CREATE_COLUMNS = ["grain", "day", *CREATE_KEYS, "deals"]


def create_source(days: list[date] | None, grain: str) -> QuerySet:
    """The `DealCreateCell` rows of `grain` for the deals created on `days` (None: all)."""
    day: F | TruncMonth = F("created_on")
    if grain == DealCloseCell.MONTH:
        day = TruncMonth("created_on", output_field=DateField())
    deals = _dated(Deal.objects.all(), "created_on", days, grain).order_by()
    return deals.values(
        k_grain=Value(grain), k_day=day, **{f"k_{k}": v for k, v in CREATE_KEYS.items()}
    ).annotate(k_deals=Count("id"))


def fill_deal_create_days(days: Iterable[date] | None = None) -> int:
    """Recompute the `DealCreateCell` rows of `days` and their months (None: the whole
    table); rows written."""
    return _rewrite(
        DealCreateCell,
        CREATE_COLUMNS,
        days,
        lambda d, g: create_source(d, g).query.sql_with_params(),
    )


def deal_create_differences(days: Iterable[date] | None = None) -> set[date]:
    """The days whose `DealCreateCell` rows (or their month's) differ from the raw deals."""
    days = None if days is None else sorted(set(days))
    stored = set(_cells(DealCreateCell, days).values_list(*CREATE_COLUMNS))
    fresh = {tuple(row.values()) for grain in GRAINS for row in create_source(days, grain)}
    return {row[1] for row in stored ^ fresh}
