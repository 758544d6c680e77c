"""Charts over time: revenue by month against quota, the forecast with its interval."""

from collections.abc import Sequence

import plotly.graph_objects as go

from dashboards.charts import (
    BLACK,
    BLUE,
    MONEY_AXIS,
    ORANGE,
    PALETTE,
    Number,
    figure_of,
    floats,
    money_hover,
)


def revenue_by_month(
    months: Sequence[str],
    revenue: Sequence[Number],
    quota: Sequence[Number],
    *,
    links: Sequence[str] | None = None,
    currency: str = "USD",
) -> go.Figure:
    """Monthly revenue bars with the month's quota as a line."""
    data = [
        go.Bar(x=list(months), y=floats(revenue), name="Revenue", marker_color=BLUE,
               customdata=list(links or []), hovertemplate=money_hover(currency)),
    ]  # fmt: skip
    if any(value is not None for value in quota):
        data.append(
            go.Scatter(x=list(months), y=floats(quota), name="Quota", mode="lines+markers",
                       line={"color": BLACK, "dash": "dot"}, hovertemplate=money_hover(currency))
        )  # fmt: skip
    return figure_of(data, yaxis=MONEY_AXIS)


def forecast(
    categories: Sequence[str],
    amounts: Sequence[Number],
    *,
    quota: Number,
    links: Sequence[str] | None = None,
    currency: str = "USD",
) -> go.Figure:
    """Closed, commit, best case and pipeline stacked in one bar, against the quota."""
    links = list(links or [])
    data = [
        go.Bar(
            x=[float(amount or 0)], y=["Forecast"], name=name, orientation="h",
            marker_color=PALETTE[index % len(PALETTE)],
            customdata=links[index : index + 1],
            hovertemplate=f"{name}: %{{x:,.2f}} {currency}<extra></extra>",
        )
        for index, (name, amount) in enumerate(zip(categories, amounts, strict=True))
    ]  # fmt: skip
    shapes = []
    if quota is not None:
        shapes.append({
            "type": "line", "x0": float(quota), "x1": float(quota), "y0": -0.5, "y1": 0.5,
            "line": {"color": BLACK, "width": 3},
        })  # fmt: skip
    annotations = []
    if quota is not None:
        annotations.append({
            "x": float(quota), "y": 0.5, "yanchor": "bottom", "text": "Quota", "showarrow": False,
        })  # fmt: skip
    return figure_of(
        data, height=200, barmode="stack", shapes=shapes, annotations=annotations,
        xaxis=MONEY_AXIS, yaxis={"visible": False},
    )  # fmt: skip


def revenue_forecast(
    months: Sequence[str],
    actual: Sequence[Number],
    forecast_months: Sequence[str],
    predicted: Sequence[Number],
    lower: Sequence[Number],
    upper: Sequence[Number],
    *,
    links: Sequence[str] | None = None,
    currency: str = "USD",
    interval: str = "",
) -> go.Figure:
    """Revenue by month so far, the forecast after it and the forecast's interval as a band."""
    band = f"Interval {interval}".strip()
    data = [
        go.Bar(x=list(months), y=floats(actual), name="Revenue", marker_color=BLUE,
               customdata=list(links or []), hovertemplate=money_hover(currency)),
        go.Scatter(x=list(forecast_months), y=floats(upper), mode="lines", line={"width": 0},
                   showlegend=False, hoverinfo="skip"),
        go.Scatter(x=list(forecast_months), y=floats(lower), mode="lines", line={"width": 0},
                   fill="tonexty", fillcolor="rgba(230,159,0,0.25)", name=band,
                   hoverinfo="skip"),
        go.Scatter(x=list(forecast_months), y=floats(predicted), name="Forecast",
                   mode="lines+markers", line={"color": ORANGE, "width": 3, "dash": "dash"},
                   hovertemplate=money_hover(currency)),
    ]  # fmt: skip
    return figure_of(data, yaxis=MONEY_AXIS, xaxis={"type": "category"})
