"""Plotly figures from plain series: pure functions, no database, no request.

Every clickable element carries its drill-down URL in `customdata`; static/js/dashboards.js
follows it on click. Colours are the Okabe-Ito palette, readable with any colour vision.
"""

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go
from django.conf import settings

Number = Decimal | int | float | None
# A drill-down URL for one element; None: that element is not clickable.
Link = str | None

# Okabe & Ito (2008), ordered so neighbouring series stay distinct; yellow comes late (low
# contrast on white).
BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, BLACK = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
)  # fmt: skip
PALETTE = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, BLACK]
GREY = "#8a94a3"
# Sequential and colour-blind safe: attainment shades in the treemap.
SEQUENTIAL = "Cividis"
TEMPLATE = go.layout.Template(
    layout={
        "colorway": PALETTE,
        "font": {"family": "system-ui, sans-serif", "size": 13, "color": "#1b2430"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 56, "r": 16, "t": 16, "b": 48},
        "hoverlabel": {"font": {"family": "system-ui, sans-serif"}},
        "xaxis": {"gridcolor": "#e6e9ee", "zerolinecolor": "#c7ced8", "automargin": True},
        "yaxis": {"gridcolor": "#e6e9ee", "zerolinecolor": "#c7ced8", "automargin": True},
        "legend": {"orientation": "h", "y": -0.2, "traceorder": "normal"},
    }
)
MONEY_AXIS = {"tickformat": "~s", "ticksuffix": f" {settings.DEFAULT_CURRENCY}"}
PERCENT_AXIS = {"tickformat": ".0%"}


def floats(values: Sequence[Number]) -> list[float | None]:
    """Plotly wants floats; None stays a gap."""
    return [None if value is None else float(value) for value in values]


# Validating the template costs more than the rest of a small figure: figures are built with an
# empty one and `as_data` adds TEMPLATE, already plain JSON, when a figure is serialised.
BLANK = go.layout.Template()
TEMPLATE_DATA = json.loads(json.dumps(TEMPLATE.to_plotly_json()))


def figure_of(data: list, height: int = 320, **layout) -> go.Figure:
    return go.Figure(data=data, layout={"template": BLANK, "height": height, **layout})


def as_data(figure: go.Figure) -> dict:
    """The figure as plain JSON data for plotly.js, with the Pacer template."""
    data = json.loads(figure.to_json())
    data["layout"]["template"] = TEMPLATE_DATA
    return data


def money_hover(currency: str) -> str:
    return f"%{{x}}<br>%{{y:,.2f}} {currency}<extra></extra>"


def bullet(value: Number, *, pace: Number = None, title: str = "") -> go.Figure:
    """Attainment (a fraction) on a bullet gauge; the black mark is where pace says it should be."""
    actual = 0.0 if value is None else float(value) * 100
    top = max(120.0, actual * 1.1)
    gauge = {
        "shape": "bullet",
        "axis": {"range": [0, top], "ticksuffix": "%"},
        "bar": {"color": BLUE, "thickness": 0.5},
        "steps": [
            {"range": [0, 100], "color": "#e6e9ee"},
            {"range": [100, top], "color": "#cfe3f2"},
        ],
    }
    if pace is not None:
        gauge["threshold"] = {
            "line": {"color": BLACK, "width": 3},
            "thickness": 0.9,
            "value": float(pace) * 100,
        }
    indicator = go.Indicator(
        mode="number+gauge",
        value=None if value is None else actual,
        number={"suffix": "%", "valueformat": ".1f"},
        gauge=gauge,
        title={"text": title, "font": {"size": 13}},
        domain={"x": [0.25, 1], "y": [0, 1]},
    )
    return figure_of([indicator], height=110, margin={"l": 8, "r": 24, "t": 8, "b": 24})


def pace(
    days: Sequence[date],
    cumulative: Sequence[Number],
    *,
    start: date,
    end: date,
    quota: Number,
    projected: Number,
    links: Sequence[str] | None = None,
    currency: str = "USD",
) -> go.Figure:
    """Cumulative revenue against the straight line to quota, and where the pace ends up.

    `end` is the period's last day; the projection runs from the last actual point to it.
    """
    data = [
        go.Scatter(
            x=list(days), y=floats(cumulative), name="Won so far", mode="lines+markers",
            line={"color": BLUE, "width": 3, "shape": "hv"}, marker={"size": 6},
            customdata=list(links or []), hovertemplate=money_hover(currency),
        )
    ]  # fmt: skip
    if quota is not None:
        data.append(
            go.Scatter(
                x=[start, end], y=[0.0, float(quota)], name="Straight line to quota",
                mode="lines", line={"color": GREY, "dash": "dot", "width": 2},
                hovertemplate=money_hover(currency),
            )
        )  # fmt: skip
    if projected is not None and days:
        data.append(
            go.Scatter(
                x=[days[-1], end], y=[floats(cumulative)[-1], float(projected)],
                name="Projected at this pace", mode="lines",
                line={"color": ORANGE, "dash": "dash", "width": 2},
                hovertemplate=money_hover(currency),
            )
        )  # fmt: skip
    return figure_of(data, yaxis=MONEY_AXIS, hovermode="x unified")


def bars(
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    links: Sequence[Link] | None = None,
    name: str = "",
    color: str = BLUE,
    currency: str | None = "USD",
    horizontal: bool = False,
) -> go.Figure:
    """One bar per label; money unless `currency` is None (then counts)."""
    hover = f"%{{y:,.2f}} {currency}" if currency else "%{y:,}"
    axis = MONEY_AXIS if currency else {}
    x: Sequence[str | float | None] = list(labels)
    y: Sequence[str | float | None] = floats(values)
    if horizontal:
        x, y = y, x
        hover = hover.replace("%{y", "%{x")
        layout = {"xaxis": axis, "yaxis": {"autorange": "reversed"}}
    else:
        layout = {"yaxis": axis}
    label = "%{y}" if horizontal else "%{x}"
    bar = go.Bar(
        x=x, y=y, name=name, marker_color=color, customdata=list(links or []),
        orientation="h" if horizontal else "v", hovertemplate=f"{label}<br>{hover}<extra></extra>",
    )  # fmt: skip
    height = max(240, 28 * len(labels) + 80) if horizontal else 320
    return figure_of([bar], height=height, **layout)


def stacked(
    categories: Sequence[str],
    series: Mapping[str, Sequence[Number]],
    *,
    links: Mapping[str, Sequence[Link]] | None = None,
    currency: str = "USD",
    horizontal: bool = False,
) -> go.Figure:
    """One bar per category, split into `series` (e.g. reps by stage)."""
    links = links or {}
    data = []
    for index, (name, values) in enumerate(series.items()):
        x: Sequence[str | float | None] = list(categories)
        y: Sequence[str | float | None] = floats(values)
        hover = f"%{{x}}<br>{name}: %{{y:,.2f}} {currency}<extra></extra>"
        if horizontal:
            x, y = y, x
            hover = f"%{{y}}<br>{name}: %{{x:,.2f}} {currency}<extra></extra>"
        data.append(
            go.Bar(
                x=x, y=y, name=name, marker_color=PALETTE[index % len(PALETTE)],
                customdata=list(links.get(name, [])), hovertemplate=hover,
                orientation="h" if horizontal else "v",
            )
        )  # fmt: skip
    if horizontal:
        layout = {"xaxis": MONEY_AXIS, "yaxis": {"autorange": "reversed"}}
        height = max(260, 30 * len(categories) + 110)
    else:
        layout, height = {"yaxis": MONEY_AXIS}, 340
    return figure_of(data, height=height, barmode="stack", **layout)


def actual_vs_target(
    labels: Sequence[str],
    actual: Sequence[Number],
    target: Sequence[Number],
    *,
    links: Sequence[str] | None = None,
) -> go.Figure:
    """Counts done next to the counts the targets ask for by now (activities this week)."""
    data = [
        go.Bar(x=list(labels), y=floats(actual), name="Done", marker_color=BLUE,
               customdata=list(links or []), hovertemplate="%{x}: %{y:,} done<extra></extra>"),
        go.Bar(x=list(labels), y=floats(target), name="Target to date", marker_color=GREY,
               hovertemplate="%{x}: target %{y:,.1f}<extra></extra>"),
    ]  # fmt: skip
    return figure_of(data, barmode="group")


def funnel(
    labels: Sequence[str], values: Sequence[Number], *, links: Sequence[str] | None = None
) -> go.Figure:
    """Each step with its share of the step before (calls > appointments > quotes > won)."""
    trace = go.Funnel(
        y=list(labels), x=floats(values), customdata=list(links or []),
        textinfo="value+percent previous", marker={"color": PALETTE[: len(labels)]},
        hovertemplate="%{y}: %{x:,}<extra></extra>",
    )  # fmt: skip
    return figure_of([trace], height=300, margin={"l": 110, "r": 16, "t": 8, "b": 8})


def sparkline(
    labels: Sequence[str], values: Sequence[Number], *, percent: bool = False
) -> go.Figure:
    """A tiny line without axes, for a KPI tile."""
    hover = "%{x}: %{y:.1%}" if percent else "%{x}: %{y:,.2f}"
    trace = go.Scatter(
        x=list(labels), y=floats(values), mode="lines", line={"color": BLUE, "width": 2},
        connectgaps=True, hovertemplate=hover + "<extra></extra>",
    )  # fmt: skip
    hidden = {"visible": False, "fixedrange": True}
    return figure_of(
        [trace], height=48, margin={"l": 2, "r": 2, "t": 2, "b": 2},
        xaxis=hidden, yaxis=hidden, showlegend=False,
    )  # fmt: skip


def treemap(
    ids: Sequence[str],
    labels: Sequence[str],
    parents: Sequence[str],
    values: Sequence[Number],
    colors: Sequence[Number],
    *,
    links: Sequence[str] | None = None,
    currency: str = "USD",
) -> go.Figure:
    """Revenue by territory (area = revenue, shade = attainment); a parent's value is its
    whole subtree (branchvalues="total"). Without any attainment, each top-level branch gets
    its own palette colour instead of a meaningless shade."""
    shades = [None if color is None else float(color) for color in colors]
    known = [shade for shade in shades if shade is not None]
    textfont = None
    if known:
        marker = {
            "colors": [shade if shade is not None else 0.0 for shade in shades],
            "colorscale": SEQUENTIAL, "cmin": 0, "cmax": max([1.2, *known]),
            "colorbar": {"title": {"text": "Attainment"}, "tickformat": ".0%"},
        }  # fmt: skip
    else:
        roots = [_root(node, ids, parents) for node in ids]
        top: dict[str, str] = {}
        for root in roots:
            top.setdefault(root, PALETTE[len(top) % len(PALETTE)])
        marker = {"colors": [top[root] for root in roots]}
        # Black text on every palette colour but the dark blue (contrast of 4.5:1 or more).
        textfont = {"color": ["#ffffff" if top[root] == BLUE else BLACK for root in roots]}
    trace = go.Treemap(
        ids=list(ids), labels=list(labels), parents=list(parents), values=floats(values),
        branchvalues="total", customdata=list(links or []), marker=marker, textfont=textfont,
        texttemplate=f"%{{label}}<br>%{{value:.3~s}} {currency}",
        hovertemplate=f"%{{label}}<br>%{{value:,.2f}} {currency}<extra></extra>",
    )  # fmt: skip
    # A label too small to read is left out (its tile still hovers and clicks).
    return figure_of([trace], height=380, margin={"l": 8, "r": 8, "t": 8, "b": 8},
                     uniformtext={"minsize": 11, "mode": "hide"})  # fmt: skip


def _root(node: str, ids: Sequence[str], parents: Sequence[str]) -> str:
    lookup = dict(zip(ids, parents, strict=True))
    while lookup.get(node):
        node = lookup[node]
    return node


def waterfall(
    labels: Sequence[str],
    values: Sequence[Number],
    measures: Sequence[str],
    *,
    links: Sequence[str] | None = None,
    currency: str = "USD",
) -> go.Figure:
    """Opening MRR, its moves, and the closing MRR Plotly adds up (measure `total`)."""
    trace = go.Waterfall(
        x=list(labels), y=[0.0 if value is None else float(value) for value in values],
        measure=list(measures), customdata=list(links or []),
        increasing={"marker": {"color": GREEN}}, decreasing={"marker": {"color": VERMILLION}},
        totals={"marker": {"color": BLUE}}, connector={"line": {"color": GREY}},
        hovertemplate=f"%{{x}}: %{{y:,.2f}} {currency}<extra></extra>",
    )  # fmt: skip
    axis = {**MONEY_AXIS, "range": waterfall_range(values, measures)}
    return figure_of([trace], yaxis=axis, showlegend=False)


def waterfall_range(values: Sequence[Number], measures: Sequence[str]) -> list[float]:
    """The y range around the levels the bars reach, so that moves of a few percent of the
    opening MRR are seen (an axis from 0 makes them slivers); the totals' bars are cut."""
    level, levels = 0.0, []
    for value, measure in zip(values, measures, strict=True):
        amount = 0.0 if value is None else float(value)
        if measure == "absolute":
            level = amount
        elif measure == "relative":
            levels.append(level)
            level += amount
        levels.append(level)
    low, high = min(levels), max(levels)
    pad = (high - low) * 0.25 or abs(high) * 0.05 or 1.0
    return [max(low - pad, 0.0) if low >= 0 else low - pad, high + pad]


def distribution(
    labels: Sequence[str], counts: Sequence[int], *, links: Sequence[Link] | None = None
) -> go.Figure:
    """How many reps fall in each attainment band."""
    colors = [VERMILLION, ORANGE, SKY, GREEN, BLUE][: len(labels)]
    trace = go.Bar(
        x=list(labels), y=list(counts), marker_color=colors, customdata=list(links or []),
        hovertemplate="%{x}: %{y} reps<extra></extra>",
    )  # fmt: skip
    return figure_of([trace], height=280, yaxis={"dtick": 1, "title": {"text": "Reps"}})


def grouped_bars(
    categories: Sequence[str],
    series: Mapping[str, Sequence[Number]],
    *,
    links: Mapping[str, Sequence[Link]] | None = None,
    currency: str = "USD",
    stack: bool = True,
) -> go.Figure:
    """Bars per category, one colour per series, stacked or side by side."""
    figure = stacked(categories, series, links=links, currency=currency)
    figure.update_layout(barmode="stack" if stack else "group", xaxis={"type": "category"})
    return figure
