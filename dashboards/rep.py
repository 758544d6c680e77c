"""A rep's morning page: attainment and pace, pipeline, activity against targets, pay so far.

Built for whatever scope the filters leave (a rep sees their own; a manager may pick one of
their reps). Pay is shown only when the scope is one person whose pay the viewer may see.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from django.db.models import Count, DateField, F, Q, Sum
from django.db.models.functions import TruncMonth

import access
from core.periods import Period, fiscal_label, period_containing, week_containing
from dashboards import charts
from dashboards.commission import commission_tile
from dashboards.common import (
    DEFAULT_DAILY_TARGETS,
    Cell,
    Dashboard,
    Row,
    Table,
    Tile,
    account_url,
    chart,
    deal_url,
    drill_link,
    elapsed_fraction,
    empty_chart,
    fmt,
    kpi_tile,
    lean,
    overdue_part,
    working_days_done,
    working_days_left,
)
from dashboards.filters import Filters
from dashboards.scores import falling_table, scored_deals_table, voice_table
from metrics.definitions import ACTIVITY_KINDS, COUNT, CURRENCY, FRACTION, activity_targets
from metrics.queries.activities import activity_rows
from metrics.queries.common import MONEY_SUM, TOTAL, in_period
from metrics.scope import Scope
from metrics.service import kpi_panel
from org.models import Role, User
from pipeline.due import due_on, overdue_q
from pipeline.models import StageKind

RECENT = 8
ADD_DEALS = "Deals appear once they are assigned to you; add them in the admin or through the API."


def daily_targets() -> dict[str, Decimal]:
    """Activities per rep per working day: settings.PACER_ACTIVITY_TARGETS, else defaults."""
    return activity_targets() or DEFAULT_DAILY_TARGETS


def the_rep(user: User, filters: Filters) -> User | None:
    """The one person the page is about: the rep filter, else the signed-in rep."""
    if filters.rep is not None:
        return filters.rep
    return user if user.role == Role.REP else None


def rep_dashboard(user: User, filters: Filters, today: date) -> Dashboard:
    scope = filters.narrow(access.visible_scope(user))
    link = drill_link(filters)
    month = period_containing(filters.on, "month")
    quarter = period_containing(filters.on, "quarter")
    window = filters.window
    shown = lean(scope)  # the tiles show deal and quota KPIs; activities have their own query
    panels = {
        "month": kpi_panel(shown, month, today=today).total,
        "quarter": kpi_panel(shown, quarter, today=today).total,
    }
    if filters.period not in panels:
        panels[filters.period] = kpi_panel(shown, window, today=today).total
    values = panels[filters.period]
    person = the_rep(user, filters)
    tiles = [
        *attainment_tiles(panels, link, filters, today),
        needed_tile(values, window, today),
        kpi_tile(
            "pipeline_amount",
            values,
            link("deals", measure="open"),
            note=f"{values['open_deals']:,} open deals",
        ),
        commission_tile(user, person, filters, today),
    ]
    blocks = [
        bullets(panels, month, quarter, today),
        activity_chart(scope, filters, today, link),
        pace_chart(scope, values, window, today, link),
        stage_chart(scope, link),
        scored_deals_table(scope, link),
        close_month_chart(scope, today, link),
        recent_table(scope, link),
        falling_table(scope, today),
        voice_table(scope.surveys, today),
    ]
    who = person.get_full_name() or person.username if person else "Your scope"
    return Dashboard(
        "rep",
        "My performance" if person == user else f"Performance: {who}",
        f"{filters.label} · today {today.isoformat()}",
        tiles,
        blocks,
    )


def attainment_tiles(panels: dict, link, filters: Filters, today: date) -> list[Tile]:
    tiles = []
    for kind in ("month", "quarter"):
        values = panels[kind]
        period = period_containing(filters.on, kind)
        won = link("deals", measure="won", period=kind)
        label = "this month" if kind == "month" else "this quarter"
        if not period.start <= today < period.end:
            label = f"in {fiscal_label(period.start, kind)}"
        note = f"of {fmt(values['quota'], CURRENCY)} quota" if values["quota"] else "no quota set"
        tiles.append(
            Tile(
                f"won_{kind}",
                f"Won {label}",
                values["revenue"],
                fmt(values["revenue"], CURRENCY),
                won,
                note=f"{fmt(values['quota_attainment'], FRACTION)} {note}",
            )
        )
    return tiles


def needed_tile(values: dict, window: Period, today: date) -> Tile:
    """What is still needed per working day to reach the quota by the period's end."""
    quota, revenue = values["quota"], values["revenue"]
    left = working_days_left(window, today)
    if quota is None:
        return Tile("needed", "Needed per working day", None, "—", note="no quota set")
    gap = max(Decimal(quota) - revenue, Decimal(0))
    if gap == 0:
        return Tile("needed", "Needed per working day", 0, fmt(0, CURRENCY), note="quota met")
    if left == 0:
        return Tile(
            "needed",
            "Needed per working day",
            None,
            "—",
            note=f"period over, {fmt(gap, CURRENCY)} short",
        )
    per_day = gap / left
    return Tile(
        "needed",
        "Needed per working day",
        per_day,
        fmt(per_day, CURRENCY),
        note=f"{fmt(gap, CURRENCY)} over {left} working days",
    )


def bullets(panels: dict, month: Period, quarter: Period, today: date):
    """Month and quarter attainment as bullet gauges, the black mark where pace puts them."""
    figures = []
    rows = []
    for kind, period in (("month", month), ("quarter", quarter)):
        values = panels[kind]
        pace = elapsed_fraction(period, today)
        figures.append(charts.bullet(values["quota_attainment"], pace=pace, title=kind.title()))
        rows.append(
            Row(
                kind.title(),
                f"{fmt(values['quota_attainment'], FRACTION)} attained, "
                f"{fmt(pace, FRACTION)} of the period gone",
            )
        )
    figure = figures[0]
    second = figures[1].data[0]
    figure.data[0].domain = {"x": [0.2, 1], "y": [0.58, 1]}
    second.domain = {"x": [0.2, 1], "y": [0, 0.42]}
    figure.add_trace(second)
    figure.update_layout(height=170)
    if all(panels[k]["quota"] is None for k in ("month", "quarter")):
        return empty_chart(
            "attainment",
            "Quota attainment",
            "No quota for this month or quarter: sales operations sets quotas in "
            "the admin (Quotas).",
        )
    return chart(
        "attainment",
        "Quota attainment",
        figure,
        rows,
        note="The black mark is where an even pace would be today.",
    )


def pace_chart(scope: Scope, values: dict, window: Period, today: date, link):
    """Cumulative won revenue by day against the straight line to quota."""
    won = scope.deals.filter(Q(status=StageKind.WON) & in_period("closed_on", window))
    daily = dict(
        won.order_by()
        .values_list("closed_on")
        .annotate(total=Sum("amount", output_field=MONEY_SUM))
        .values_list("closed_on", "total")
    )
    last = min(today, window.end - timedelta(days=1))
    if last < window.start:
        return empty_chart("pace", "Pace to quota", "This period has not started yet.")
    days, cumulative, running = [], [], Decimal(0)
    day = window.start
    while day <= last:
        running += Decimal(daily.get(day) or 0)
        days.append(day)
        cumulative.append(running)
        day += timedelta(days=1)
    end = window.end - timedelta(days=1)
    url = link("deals", measure="won")
    figure = charts.pace(
        days,
        cumulative,
        start=window.start,
        end=end,
        quota=values["quota"],
        projected=values["projected_revenue"],
        links=[url] * len(days),
    )
    rows = [
        Row("Won so far", fmt(running, CURRENCY), url),
        Row("Quota", fmt(values["quota"], CURRENCY)),
        Row("Projected at this pace", fmt(values["projected_revenue"], CURRENCY)),
    ]
    note = "" if values["quota"] else "No quota for this period: only the won line is drawn."
    return chart("pace", "Pace to quota", figure, rows, note=note, wide=True)


def stage_chart(scope: Scope, link):
    rows = list(
        scope.deals.filter(status=StageKind.OPEN)
        .order_by()
        .values("stage_id", "stage__name", "stage__order")
        .annotate(n=Count("id"), total=Sum("amount", output_field=MONEY_SUM))
        .order_by("stage__order")
    )
    if not rows:
        return empty_chart("stages", "Open pipeline by stage", f"No open deals. {ADD_DEALS}")
    labels = [row["stage__name"] for row in rows]
    links = [link("deals", measure="open", stage=row["stage_id"]) for row in rows]
    figure = charts.bars(labels, [row["total"] for row in rows], links=links, name="Pipeline")
    return chart(
        "stages",
        "Open pipeline by stage",
        figure,
        [
            Row(label, f"{fmt(row['total'] or 0, CURRENCY)} in {row['n']:,} deals", url)
            for label, row, url in zip(labels, rows, links, strict=True)
        ],
    )


def close_month_chart(scope: Scope, today: date, link):
    """Open pipeline by the month it is due in: deals past their expected close date count in
    this month."""
    rows = list(
        scope.deals.filter(status=StageKind.OPEN)
        .order_by()
        .values(month=TruncMonth(due_on(today), output_field=DateField()))
        .annotate(
            n=Count("id"),
            total=Sum("amount", output_field=MONEY_SUM),
            overdue=Sum("amount", filter=overdue_q(today), output_field=MONEY_SUM),
        )
        .order_by(F("month").asc(nulls_last=True))
    )
    title = "Open pipeline by month due"
    if not rows:
        return empty_chart("close_months", title, f"No open deals. {ADD_DEALS}")
    labels = [row["month"].strftime("%Y-%m") if row["month"] else "No date" for row in rows]
    links = [
        link("deals", measure="open", close_month=label if label != "No date" else "none")
        for label in labels
    ]
    figure = charts.bars(labels, [row["total"] for row in rows], links=links, name="Pipeline")
    figure.update_layout(xaxis={"type": "category"})
    return chart(
        "close_months",
        title,
        figure,
        [
            Row(
                label,
                f"{fmt(row['total'] or 0, CURRENCY)} in {row['n']:,} deals"
                + overdue_part(row["overdue"] or 0),
                url,
            )
            for label, row, url in zip(labels, rows, links, strict=True)
        ],
        note="By expected close month; a deal past that date counts in this month, as overdue.",
    )


def activity_chart(scope: Scope, filters: Filters, today: date, link):
    """This week's activities against the daily targets for the working days so far."""
    week = week_containing(min(today, filters.window.end - timedelta(days=1)))
    counts = (activity_rows(scope.activities, week, None) or {}).get(TOTAL, {})
    reps = max(scope.reps.count(), 1)
    days = working_days_done(week, today)
    targets = daily_targets()
    kinds = [kind for kind in ACTIVITY_KINDS if kind in targets or counts.get(kind)]
    labels = [ACTIVITY_KINDS[kind][0] for kind in kinds]
    done = [counts.get(kind, 0) for kind in kinds]
    goal = [targets[kind] * days * reps if kind in targets else None for kind in kinds]
    links = [
        link("activities", activity=ACTIVITY_KINDS[kind][1], week=week.start.isoformat())
        for kind in kinds
    ]
    title = f"Activities this week (from {week.start.isoformat()})"
    if not any(done) and not days:
        return empty_chart("activities", title, "The week has not started yet.")
    figure = charts.actual_vs_target(labels, done, goal, links=links)
    per_day = ", ".join(f"{targets[k]:g} {ACTIVITY_KINDS[k][0].lower()}" for k in targets)
    rows = [
        Row(label, f"{n:,} done, target to date {fmt(g, COUNT) if g is not None else '—'}", url)
        for label, n, g, url in zip(labels, done, goal, links, strict=True)
    ]
    return chart(
        "activities", title, figure, rows, note=f"Targets per rep per working day: {per_day}."
    )


def recent_table(scope: Scope, link) -> Table:
    deals = (
        scope.deals.filter(status__in=[StageKind.WON, StageKind.LOST])
        .order_by("-closed_on", "-id")
        .values(
            "id",
            "name",
            "status",
            "amount",
            "closed_on",
            "lost_reason",
            "account_id",
            "account__name",
        )[:RECENT]
    )
    # A database constraint gives every won or lost deal its closed_on.
    rows = [
        [
            Cell(cast(date, row["closed_on"]).isoformat()),
            Cell(row["name"], deal_url(row["id"])),
            Cell(row["account__name"] or "", account_url(row["account_id"])),
            Cell(
                "Won" if row["status"] == StageKind.WON else "Lost",
                tone="good" if row["status"] == StageKind.WON else "bad",
            ),
            Cell(fmt(row["amount"], CURRENCY), num=True),
            Cell(row["lost_reason"]),
        ]
        for row in deals
    ]
    return Table(
        "recent",
        "Recent wins and losses",
        [
            ("Closed", False),
            ("Deal", False),
            ("Account", False),
            ("Result", False),
            ("Amount", True),
            ("Lost reason", False),
        ],
        rows,
        empty=f"No closed deals yet. {ADD_DEALS}",
        more=link("deals", measure="closed"),
        wide=True,
    )
