"""What every dashboard is made of: tiles, charts with their data table, and formatting."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import plotly.graph_objects as go
from django.db.models import Q, QuerySet

from metrics.definitions import COUNT, CURRENCY, DAYS, FRACTION, KPIS, display
from metrics.scope import Scope
from spm.formatting import NO_VALUE, money
from territories.models import User

# link(kind, **params) -> the URL of the drill-down listing the rows behind a figure.
Link = Callable[..., str]
Value = Decimal | int | None


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: Value
    text: str
    url: str | None = None
    change: str | None = None  # "+12.0 %" against the previous period
    trend: str = ""  # up, down or "" (for the arrow and its colour)
    note: str = ""
    spark: "Chart | None" = None


@dataclass(frozen=True)
class Row:
    """One element of a chart as text: what a keyboard or screen-reader user follows."""

    label: str
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Chart:
    key: str  # the element id; the figure's JSON block is `<key>-data`
    title: str
    figure: str  # Figure.to_json()
    rows: list[Row] = field(default_factory=list)
    empty: str = ""  # shown instead of the chart when there is nothing to draw
    note: str = ""


def chart(key: str, title: str, figure: go.Figure, rows: Iterable[Row], **kwargs) -> Chart:
    return Chart(key, title, figure.to_json(), list(rows), **kwargs)


def fmt(value: Value | float, unit: str) -> str:
    """A value as people read it: money with its currency, rates in percent, counts with commas."""
    if value is None:
        return NO_VALUE
    if unit == CURRENCY:
        return money(display(value, CURRENCY))
    if unit == FRACTION:
        return f"{Decimal(str(value)) * 100:,.1f} %"
    if unit == COUNT:
        return f"{int(value):,}"
    if unit == DAYS:
        return f"{display(value, DAYS)} days"
    return f"{display(value, unit):,}"


def kpi_text(key: str, value: Value) -> str:
    return fmt(value, KPIS[key].unit)


def kpi_tile(key: str, values: dict, url: str | None = None, **kwargs) -> Tile:
    return Tile(key, KPIS[key].label, values[key], kpi_text(key, values[key]), url, **kwargs)


def change(current: Value, previous: Value, unit: str) -> tuple[str | None, str]:
    """The change against the previous period: relative for amounts, in points for rates."""
    if current is None or previous is None:
        return None, ""
    delta = Decimal(current) - Decimal(previous)
    trend = "up" if delta > 0 else "down" if delta < 0 else ""
    if unit == FRACTION:
        return f"{delta * 100:+.1f} pts", trend
    if unit not in (CURRENCY, COUNT) or previous == 0:
        return f"{delta:+,.1f}", trend
    return f"{delta / Decimal(previous) * 100:+.1f} %", trend


def person_name(first: str, last: str, username: str) -> str:
    """A person's name as the metrics service labels its rep groups."""
    return f"{first} {last}".strip() or username


def people_by_name(scope: Scope, extra: QuerySet | None = None) -> dict[str, int]:
    """{name: id} of the scope's reps and deal owners, to link rep groups (keyed by name).

    A name two people share maps to neither: a link could point at the wrong person.
    """
    owners = Q(id__in=scope.reps.values("id")) | Q(id__in=scope.deals.values("owner_id"))
    if extra is not None:
        owners |= Q(id__in=extra)
    found: dict[str, int | None] = {}
    for pk, first, last, username in User.objects.filter(owners).values_list(
        "id", "first_name", "last_name", "username"
    ):
        name = person_name(first, last, username)
        found[name] = None if name in found else pk
    return {name: pk for name, pk in found.items() if pk is not None}
