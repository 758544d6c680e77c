"""What every family query shares: period filters, group keys and two portable SQL helpers."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import (
    Aggregate,
    DateField,
    DecimalField,
    Expression,
    ExpressionWrapper,
    F,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter

from core.periods import Period, local_midnight

TIME_GROUPS = ("month", "quarter")
GROUPS = ("rep", "manager", "team", "territory", "product", "segment", "source", *TIME_GROUPS)

# The key of the one row an ungrouped query returns.
TOTAL = ("total",)

# Room for sums of many MONEY values; on SQLite it also quantizes float sums to the cent.
MONEY_SUM = DecimalField(max_digits=30, decimal_places=2)

# An amount times its probability in percent (a deal's, or a history row's): the deal's own
# probability where it has one, else its stage's.
AMOUNT_X_PERCENT = ExpressionWrapper(
    F("amount") * Coalesce("probability", "stage__probability"),
    output_field=DecimalField(max_digits=30, decimal_places=2),
)

Raw = dict[str, Any]
Rows = dict[Any, Raw]
Paths = dict[str, str | Expression | None]


def money(condition: Q, value=None) -> Sum:
    return Sum(value or "amount", filter=condition, output_field=MONEY_SUM)


def in_period(field: str, period: Period) -> Q:
    """`field` inside the half-open period; an open side adds no condition."""
    condition = Q()
    if period.start != date.min:
        condition &= Q(**{f"{field}__gte": period.start})
    if period.end != date.max:
        condition &= Q(**{f"{field}__lt": period.end})
    return condition


def in_period_moments(field: str, period: Period) -> Q:
    """Like `in_period` for a datetime field, with days starting at local midnight."""
    condition = Q()
    if period.start != date.min:
        condition &= Q(**{f"{field}__gte": local_midnight(period.start)})
    if period.end != date.max:
        condition &= Q(**{f"{field}__lt": local_midnight(period.end)})
    return condition


def bucket(by: str, field: str | Expression) -> Expression:
    """First day of the calendar month or quarter of `field` (a date or datetime)."""
    trunc = TruncMonth if by == "month" else TruncQuarter
    return trunc(field, output_field=DateField())


def group_key(
    by: str | None, paths: Mapping[str, str | Expression | None], date_field: str
) -> Expression | F | None:
    """The expression to group on; None for the ungrouped total.

    Raises KeyError when this family cannot be grouped that way (callers check `groupable`).
    """
    if by is None:
        return None
    if by in TIME_GROUPS:
        return bucket(by, date_field)
    path = paths[by]
    return F(path) if isinstance(path, str) else path


def groupable(by: str | None, paths: Mapping[str, str | Expression | None]) -> bool:
    return by is None or by in TIME_GROUPS or paths.get(by) is not None


def grouped(queryset, key: Expression | F | None, aggregates: Mapping[str, Aggregate]) -> Rows:
    """Run one aggregate query, grouped on `key` or not, as {key: {name: value}}."""
    if key is None:
        return {TOTAL: queryset.aggregate(**aggregates)}
    rows = queryset.order_by().values(group=key).annotate(**aggregates)
    return {row.pop("group"): row for row in rows}


def merge(*parts: Rows) -> Rows:
    """Join family rows that were computed by different queries over the same keys."""
    merged: Rows = {}
    for part in parts:
        for key, row in part.items():
            merged.setdefault(key, {}).update(row)
    return merged
