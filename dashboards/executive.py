"""The executive page: company KPIs with their trend, revenue against quota and forecast,
territories and segments, new against existing revenue, and how MRR moved."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import cast

from django.db.models import Q, Sum

import access
from core.periods import Period, add_months
from dashboards import charts, forecasts, time_charts
from dashboards.common import (
    Cell,
    Dashboard,
    Row,
    Table,
    Tile,
    change,
    chart,
    drill_link,
    empty_chart,
    fmt,
    kpi_text,
    lean,
    overdue_part,
)
from dashboards.filters import Filters
from dashboards.integrations import RUN_FORECAST, latest_forecast
from dashboards.territory_panels import NO_DATA, territory_blocks
from forecasting import selectors as forecasting
from forecasting.methods import FIGURES, method_describe
from metrics import formulas as f
from metrics.definitions import CURRENCY, FRACTION, KPIS
from metrics.queries.common import MONEY_SUM
from metrics.scope import Scope
from metrics.service import kpi_panel
from org.models import User
from pipeline.due import due_in_q, overdue_q
from pipeline.models import ForecastCategory, SegmentTier, StageKind

# (KPI, drill-down kind and parameters); None: the figure has no rows to list.
TILES = [
    ("revenue", ("deals", {"measure": "won"})),
    ("win_rate", ("deals", {"measure": "closed"})),
    ("average_deal_size", ("deals", {"measure": "won"})),
    ("mrr", ("subscriptions", {})),
    ("customer_churn_rate", None),
    ("nps", ("surveys", {"survey": "nps"})),
    ("csat", ("surveys", {"survey": "csat"})),
    ("clv", None),
]
TREND_MONTHS = 12
LOWER_IS_BETTER = {"customer_churn_rate"}


def executive_dashboard(user: User, filters: Filters, today: date) -> Dashboard:
    scope = filters.narrow(access.visible_scope(user))
    link = drill_link(filters)
    window = filters.window
    shown = lean(scope, "subscriptions", "surveys")  # no activity KPI on this page
    now = kpi_panel(shown, window, today=today).total
    compared, against = filters.compared(today)
    before = kpi_panel(shown, compared, today=today).total
    trend = Period(add_months(window.end, -TREND_MONTHS), window.end)
    months = kpi_panel(shown, trend, "month", today=today, total=False).groups
    tiles = [
        kpi_tile_with_trend(key, now, before, months, link, drill, against) for key, drill in TILES
    ]
    blocks = [
        revenue_by_month(months, link, filters),
        forecast_chart(user, filters, months, link),
        forecast_track_record(user, today),
        category_chart(scope, now, window, today, link),
        segment_chart(scope, window, today, link),
        *territory_blocks(user, scope, window, today, link),
        new_vs_existing(months, link, filters),
        mrr_waterfall(now, link),
    ]
    return Dashboard(
        "executive",
        "Company performance",
        f"{filters.label} · against {against} · today {today}",
        tiles,
        blocks,
    )


def kpi_tile_with_trend(key, now, before, months, link, drill, against: str) -> Tile:
    unit = KPIS[key].unit
    delta, trend = change(now[key], before[key], unit)
    if key in LOWER_IS_BETTER:  # the arrow shows the direction, the colour whether it is good
        trend = {"up": "up bad", "down": "down good"}.get(trend, trend)
    labels = [group.key for group in months]
    values = [group.values[key] for group in months]
    spark = None
    if any(value is not None for value in values):
        spark = chart(
            f"spark-{key}",
            f"{KPIS[key].label} by month",
            charts.sparkline(labels, values, percent=unit == FRACTION),
        )
    url = link(drill[0], **drill[1]) if drill else None
    label = {"average_deal_size": "AOV", "customer_churn_rate": "Churn"}.get(key, KPIS[key].label)
    return Tile(
        key,
        label,
        now[key],
        kpi_text(key, now[key]),
        url,
        delta,
        trend,
        note=f"against {against}" if delta else "no previous value",
        spark=spark,
    )


def revenue_by_month(months, link, filters: Filters):
    labels = [group.key for group in months]
    revenue = [group.values["revenue"] for group in months]
    quota = [group.values["quota"] for group in months]
    title = "Revenue by month against quota"
    if not any(revenue):
        return empty_chart("revenue_months", title, NO_DATA, wide=True)
    links = [link("deals", measure="won", month=label) for label in labels]
    figure = time_charts.revenue_by_month(labels, revenue, quota, links=links)
    figure.update_layout(xaxis={"type": "category"})
    rows = [
        Row(label, f"{fmt(value, CURRENCY)} of {fmt(q, CURRENCY)} quota", url)
        for label, value, q, url in zip(labels, revenue, quota, links, strict=True)
    ]
    return chart("revenue_months", title, figure, rows, wide=True)


def forecast_chart(user: User, filters: Filters, months, link):
    """Revenue by month with the latest forecast run's prediction and interval."""
    title = "Revenue forecast"
    forecast = latest_forecast(user, filters)
    if forecast is None or not forecast.points:
        return empty_chart("forecast", title, f"No forecast yet: run `{RUN_FORECAST}`.", wide=True)
    labels = [group.key for group in months]
    actual = [group.values["revenue"] for group in months]
    points = forecast.points
    ahead = [point.month.strftime("%Y-%m") for point in points]
    figure = time_charts.revenue_forecast(
        labels,
        actual,
        ahead,
        [p.predicted for p in points],
        [p.lower for p in points],
        [p.upper for p in points],
        links=[link("deals", measure="won", month=m) for m in labels],
        interval=forecast.interval,
    )
    rows = [
        Row(
            m,
            f"{fmt(p.predicted, CURRENCY)} ({fmt(p.lower, CURRENCY)} to {fmt(p.upper, CURRENCY)})",
        )
        for m, p in zip(ahead, points, strict=True)
    ]
    method = method_describe(forecast.method)
    weighting = "deal win scores" if forecast.weighted_by_scores else "stage win rates"
    note = (
        f"{method.label.capitalize()}, made {forecast.made_at:%Y-%m-%d %H:%M}; "
        f"band: {forecast.interval}. {method.how} Weighted pipeline: by {weighting}."
    )
    return chart("forecast", title, figure, rows, note=note, wide=True)


def forecast_track_record(user: User, today: date) -> Table:
    """What each past month's first forecast run said against what was won, and the error of
    each method over those months (your headline scope: the company, your tree, yourself)."""
    outcomes = forecasts.forecast_vs_actual(user, months=6, today=today)
    scores = forecasting.forecast_accuracy(outcomes)
    errors = "; ".join(
        f"{FIGURES[key].label} {fmt(score.mape, FRACTION)} / {fmt(score.wape, FRACTION)}"
        for key, score in scores.items()
        if score.months
    )
    note = (
        f"Error over these months, MAPE / WAPE: {errors}. "
        "`python manage.py backtest_forecast` replays history for MAPE, WAPE and MASE by horizon."
    )
    return Table(
        "forecast_track",
        "Forecasts against actuals",
        [("Month", False), ("Run of", False), ("Blend", True), ("Weighted pipeline", True)]
        + [("Time series", True), ("Call", True), ("Won", True), ("Blend error", True)],
        [
            [
                Cell(outcome.month.strftime("%Y-%m")),
                Cell(outcome.as_of.isoformat()),
                Cell(fmt(outcome.blended, CURRENCY), num=True),
                Cell(fmt(outcome.weighted_pipeline, CURRENCY), num=True),
                Cell(fmt(outcome.ts_point, CURRENCY), num=True),
                Cell(fmt(outcome.call, CURRENCY), num=True),
                Cell(fmt(outcome.actual, CURRENCY), num=True),
                Cell(
                    fmt(f.ratio(outcome.blended - outcome.actual, outcome.actual), FRACTION),
                    num=True,
                ),
            ]
            for outcome in outcomes
        ],
        empty="No past forecast to compare yet: a month's first nightly run shows here once "
        "the month has ended.",
        note=note if outcomes else "",
        wide=True,
    )


def _error(outcome) -> Decimal | None:
    return f.ratio(outcome.blended - outcome.actual, outcome.actual)


CATEGORIES = (ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE)


def category_chart(scope: Scope, now: dict, window: Period, today: date, link):
    """Closed, commit, best case and pipeline for the period, against the quota; open deals by
    the period they are due in, overdue ones in the current period."""
    due = scope.deals.filter(Q(status=StageKind.OPEN) & due_in_q(window, today))
    found = (
        due.order_by()
        .values("forecast_category")
        .annotate(
            total=Sum("amount", output_field=MONEY_SUM),
            overdue=Sum("amount", filter=overdue_q(today), output_field=MONEY_SUM),
        )
    )
    sums: dict[str, Mapping] = {row["forecast_category"]: row for row in found}
    steps = [("Closed", now["revenue"], link("deals", measure="won"))]
    for category in CATEGORIES:
        steps.append(
            (
                cast(str, category.label),  # the choices' labels are plain strings
                sums.get(category.value, {}).get("total") or 0,
                link("deals", measure="open", in_window=1, category=category.value),
            )
        )
    title = "Forecast by category against quota"
    if not any(amount for _, amount, _ in steps) and now["quota"] is None:
        return empty_chart(
            "categories", title, "Nothing closed or expected to close in this period, and no quota."
        )
    figure = time_charts.forecast(
        [s[0] for s in steps],
        [s[1] for s in steps],
        quota=now["quota"],
        links=[s[2] for s in steps],
    )
    overdue = [sums.get(c.value, {}).get("overdue") or 0 for c in CATEGORIES]
    rows = [Row("Closed", fmt(now["revenue"], CURRENCY), steps[0][2])]
    rows += [
        Row(label, fmt(amount, CURRENCY) + overdue_part(late), url)
        for (label, amount, url), late in zip(steps[1:], overdue, strict=True)
    ]
    rows.append(Row("Quota", fmt(now["quota"], CURRENCY)))
    note = "Open deals by their forecast category, due this period (expected to close in it, "
    note += "or already overdue when it is the current one)"
    return chart("categories", title, figure, rows, note=f"{note}{overdue_part(sum(overdue))}.")


def segment_chart(scope: Scope, window: Period, today: date, link):
    panel = kpi_panel(lean(scope), window, "segment", today=today)
    names = dict(SegmentTier.choices)
    codes = {label: code for code, label in names.items()}
    groups = panel.groups
    title = "Revenue by segment"
    if not any(g.values["revenue"] for g in groups):
        return empty_chart("segments", title, NO_DATA)
    labels = [g.key for g in groups]
    links = [
        link("deals", measure="won", segment=codes[label]) if label in codes else None
        for label in labels
    ]
    figure = charts.bars(labels, [g.values["revenue"] for g in groups], links=links, name="Revenue")
    rows = [
        Row(label, fmt(g.values["revenue"], CURRENCY), url)
        for label, g, url in zip(labels, groups, links, strict=True)
    ]
    return chart("segments", title, figure, rows)


def new_vs_existing(months, link, filters: Filters):
    labels = [group.key for group in months]
    new = [group.values["revenue_new_customers"] for group in months]
    existing = [group.values["revenue_existing_customers"] for group in months]
    title = "New against existing customers' revenue"
    if not any(new) and not any(existing):
        return empty_chart("new_existing", title, NO_DATA)
    links = {
        "New customers": [link("deals", measure="won", month=m, type="new") for m in labels],
        "Existing customers": [
            link("deals", measure="won", month=m, type="existing") for m in labels
        ],
    }
    figure = charts.grouped_bars(
        labels, {"New customers": new, "Existing customers": existing}, links=links
    )
    rows = [
        Row(m, f"new {fmt(n, CURRENCY)}, existing {fmt(e, CURRENCY)}", links["New customers"][i])
        for i, (m, n, e) in enumerate(zip(labels, new, existing, strict=True))
    ]
    return chart("new_existing", title, figure, rows)


def mrr_waterfall(now: dict, link):
    title = "MRR movements"
    if now["mrr"] is None:
        return empty_chart(
            "mrr",
            title,
            "No subscriptions in this scope: MRR comes from subscription rows "
            "(admin, API or an import).",
        )
    opening = now["mrr"] - now["net_new_mrr"]
    steps = [
        ("Opening MRR", opening, "absolute"),
        ("New", now["mrr_new"], "relative"),
        ("Reactivated", now["mrr_reactivated"], "relative"),
        ("Expansion", now["mrr_expansion"], "relative"),
        ("Contraction", -now["mrr_contraction"], "relative"),
        ("Churned", -now["mrr_churned"], "relative"),
        ("Closing MRR", now["mrr"], "total"),
    ]
    closing = link("subscriptions")
    links = [None] * 6 + [closing]
    figure = charts.waterfall(
        [s[0] for s in steps], [s[1] for s in steps], [s[2] for s in steps], links=links
    )
    rows = [
        Row(label, fmt(value, CURRENCY), url)
        for (label, value, _), url in zip(steps, links, strict=True)
    ]
    return chart("mrr", title, figure, rows)
