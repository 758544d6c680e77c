"""What every dashboard is made of: tiles, charts with their data table, tables, and formatting.

A dashboard is plain data (dataclasses of text, numbers, links and Plotly figures as dicts),
built by a function of the user's scope and filters; templates/dashboards/ renders it. Every
figure a person can click carries the URL of the drill-down that lists the rows behind it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

import plotly.graph_objects as go
from django.db.models import Q, QuerySet
from django.urls import reverse

from core.formatting import NO_VALUE, money, person_name
from core.periods import Period, weekdays_in
from dashboards import charts
from dashboards.filters import Filters
from metrics.definitions import COUNT, CURRENCY, DAYS, FRACTION, KPIS, SCORE, display
from metrics.scope import Scope
from org.models import User

# link(kind, **params) -> the URL of the drill-down listing the rows behind a figure.
Link = Callable[..., str]
Value = Decimal | int | None

# Activities per rep per working day, unless settings.PACER_ACTIVITY_TARGETS says otherwise.
DEFAULT_DAILY_TARGETS = {
    "calls": Decimal(10),
    "appointments": Decimal(2),
    "quotes_sent": Decimal(1),
    "follow_ups": Decimal(4),
}


@dataclass(frozen=True)
class Chart:
    key: str  # the element id; the figure's JSON block is `<key>-data`
    title: str
    figure: dict | None  # Plotly figure as JSON-ready dict; None when empty
    rows: list["Row"] = field(default_factory=list)
    empty: str = ""  # shown instead of the chart when there is nothing to draw
    note: str = ""
    wide: bool = False
    kind: str = "chart"

    @property
    def data_id(self) -> str:
        return f"{self.key}-data"


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
    spark: Chart | None = None


@dataclass(frozen=True)
class Row:
    """One element of a chart as text: what a keyboard or screen-reader user follows."""

    label: str
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None = None
    num: bool = False
    tone: str = ""  # good, bad or ""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[tuple[str, bool]]  # (heading, numeric)
    rows: list[list[Cell]]
    empty: str = ""
    note: str = ""
    more: str | None = None  # a link to the full list
    wide: bool = False
    kind: str = "table"


@dataclass(frozen=True)
class Dashboard:
    page: str  # rep, manager, executive, admin
    title: str
    subtitle: str
    tiles: list[Tile] = field(default_factory=list)
    blocks: list[Chart | Table] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def has_charts(self) -> bool:
        """Whether the page draws anything, so needs plotly.js."""
        sparks = any(tile.spark for tile in self.tiles)
        return sparks or any(isinstance(b, Chart) and b.figure for b in self.blocks)


def figure_data(figure: go.Figure) -> dict:
    """A figure as plain JSON data (Plotly's encoder turns dates and numpy values into text)."""
    return charts.as_data(figure)


def chart(key: str, title: str, figure: go.Figure, rows: Iterable[Row] = (), **kwargs) -> Chart:
    return Chart(key, title, figure_data(figure), list(rows), **kwargs)


def empty_chart(key: str, title: str, empty: str, **kwargs) -> Chart:
    return Chart(key, title, None, [], empty=empty, **kwargs)


def fmt(value: Value | float, unit: str) -> str:
    """A value as people read it: money with its currency, rates in percent, counts with commas."""
    if value is None:
        return NO_VALUE
    if unit == CURRENCY:
        # Money displays as a Decimal (only counts become ints).
        return money(cast(Decimal, display(value, CURRENCY)))
    if unit == FRACTION:
        return f"{Decimal(str(value)) * 100:,.1f} %"
    if unit == COUNT:
        return f"{int(value):,}"
    if unit == DAYS:
        return f"{display(value, DAYS)} days"
    if unit == SCORE:
        return f"{display(value, SCORE):,}"
    return f"{display(value, unit):,}"


def kpi_text(key: str, value: Value) -> str:
    return fmt(value, KPIS[key].unit)


def overdue_part(amount: Decimal | int) -> str:
    """`, of which 1,200.00 USD overdue` after an open pipeline figure; nothing when none is."""
    return f", of which {fmt(amount, CURRENCY)} overdue" if amount else ""


def kpi_tile(key: str, values: dict, url: str | None = None, **kwargs) -> Tile:
    label = kwargs.pop("label", KPIS[key].label)
    return Tile(key, label, values[key], kpi_text(key, values[key]), url, **kwargs)


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


FAMILY_ROWS = ("activities", "subscriptions", "surveys")


def lean(scope: Scope, *keep: str) -> Scope:
    """The scope with the KPI families a page does not show emptied, so kpi_panel skips their
    work: deals and quotas always stay; `keep` names the others to keep (and "stages" the stage
    family). The emptied querysets still compile to SQL (`id IS NULL` matches nothing), which
    the subscription family needs.
    """
    emptied = {
        name: getattr(scope, name).filter(pk__isnull=True)
        for name in FAMILY_ROWS
        if name not in keep
    }
    return replace(scope, **emptied, stage_moves="stages" in keep)


def deal_url(pk: int) -> str:
    """A deal's own page."""
    return reverse("deal", args=[pk])


def account_url(pk: int | None) -> str | None:
    """An account's own page; None for no account."""
    return None if pk is None else reverse("account", args=[pk])


def drill_link(filters: Filters) -> Link:
    """link(kind, **params): the drill-down of `kind` rows under the page's filters."""

    def link(kind: str, **params) -> str:
        return reverse(f"dashboards:drill-{kind}") + "?" + filters.query(**params)

    return link


def elapsed_fraction(period: Period, today: date) -> Decimal:
    """How much of the period has gone by at the end of today (0 before, 1 after)."""
    days = (min(max(today + timedelta(days=1), period.start), period.end) - period.start).days
    return Decimal(days) / Decimal(period.days)


def working_days_left(period: Period, today: date) -> int:
    """Weekdays from tomorrow to the period's end."""
    start = max(today + timedelta(days=1), period.start)
    return weekdays_in(Period(start, period.end)) if start < period.end else 0


def working_days_done(period: Period, today: date) -> int:
    """Weekdays of the period up to and including today."""
    end = min(today + timedelta(days=1), period.end)
    return weekdays_in(Period(period.start, end)) if end > period.start else 0
