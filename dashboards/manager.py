"""A manager's page: the team's leaderboard, who is at risk and why, and where deals are stuck."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

import access
from dashboards import charts
from dashboards.coaching import at_risk_table, coaching_table, stuck_table
from dashboards.common import (
    Cell,
    Dashboard,
    Row,
    Table,
    chart,
    drill_link,
    empty_chart,
    fmt,
    kpi_tile,
    lean,
    people_by_name,
)
from dashboards.drill import DEFAULT_STUCK_DAYS
from dashboards.filters import Filters
from dashboards.filtersets import BANDS
from dashboards.rep_lines import RepLine, rep_line, rep_page
from metrics.definitions import COUNT, CURRENCY, FRACTION
from metrics.queries.common import MONEY_SUM
from metrics.scope import Scope
from metrics.service import kpi_panel
from org.models import User
from pipeline.models import StageKind

NO_REPS = (
    "No reps in this scope. Reps appear once sales operations sets their manager and team "
    "in the admin (Users)."
)


def manager_dashboard(user: User, filters: Filters, today: date, stuck_days: int) -> Dashboard:
    scope = filters.narrow(access.visible_scope(user))
    link = drill_link(filters)
    window = filters.window
    panel = kpi_panel(lean(scope, "activities"), window, "rep", today=today)
    ids = people_by_name(scope)
    reps = [rep_line(group, ids) for group in panel.groups]
    reps.sort(key=lambda line: (-(line.values["revenue"] or 0), line.name))
    total = panel.total
    tiles = [
        kpi_tile("revenue", total, link("deals", measure="won"), label="Team revenue"),
        kpi_tile(
            "quota_attainment",
            total,
            link("deals", measure="won"),
            note=f"of {fmt(total['quota'], CURRENCY)}" if total["quota"] else "no quota",
        ),
        kpi_tile(
            "win_rate",
            total,
            link("deals", measure="closed"),
            note=f"{total['deals_won']:,} won, {total['deals_lost']:,} lost",
        ),
        kpi_tile("pipeline_amount", total, link("deals", measure="open")),
        kpi_tile(
            "pipeline_coverage",
            total,
            link("deals", measure="open", in_window=1),
            note="weighted pipeline due this period (overdue deals too) / quota still open",
        ),
    ]
    blocks = [
        leaderboard(reps, link, filters),
        distribution_chart(reps, link),
        funnel_chart(total, link),
        pipeline_by_rep(scope, ids, link),
        at_risk_table(reps, window, today, link, filters),
        coaching_table(reps, window, today, link, filters),
        stuck_table(scope, today, stuck_days, link),
    ]
    return Dashboard(
        "manager", "Team performance", f"{filters.label} · today {today}", tiles, blocks
    )


def leaderboard(reps: list[RepLine], link, filters: Filters) -> Table:
    rows = []
    for rank, line in enumerate(reps, 1):
        values = line.values
        won = link("deals", measure="won", owner=line.pk) if line.pk else None
        rows.append(
            [
                Cell(str(rank), num=True),
                Cell(line.name, rep_page(filters, line.pk)),
                Cell(fmt(values["revenue"], CURRENCY), won, num=True),
                Cell(
                    fmt(values["quota_attainment"], FRACTION),
                    num=True,
                    tone=_tone(values["quota_attainment"], Decimal("1"), Decimal("0.5")),
                ),
                Cell(
                    fmt(values["win_rate"], FRACTION),
                    link("deals", measure="closed", owner=line.pk) if line.pk else None,
                    num=True,
                ),
                Cell(
                    fmt(values["pipeline_coverage"], FRACTION),
                    link("deals", measure="open", in_window=1, owner=line.pk) if line.pk else None,
                    num=True,
                ),
                Cell(
                    fmt(line.activities, COUNT),
                    link("activities", owner=line.pk) if line.pk else None,
                    num=True,
                ),
            ]
        )
    return Table(
        "leaderboard",
        "Leaderboard",
        [
            ("#", True),
            ("Rep", False),
            ("Revenue", True),
            ("Attainment", True),
            ("Win rate", True),
            ("Coverage", True),
            ("Activities", True),
        ],
        rows,
        empty=NO_REPS,
        wide=True,
        note="Coverage: weighted pipeline due this period (expected to close in it, or overdue "
        "in the current one) over the quota still open. Click a figure for the deals or "
        "activities behind it.",
    )


def _tone(value, good: Decimal, bad: Decimal) -> str:
    if value is None:
        return ""
    return "good" if value >= good else "bad" if value < bad else ""


def band_of(attainment: Decimal) -> int:
    for index, (_, upper) in enumerate(BANDS):
        if upper is None or attainment < upper:
            return index
    return len(BANDS) - 1


def distribution_chart(reps: list[RepLine], link):
    members: list[list[RepLine]] = [[] for _ in BANDS]
    no_quota = []
    for line in reps:
        attainment = line.values["quota_attainment"]
        if attainment is None:
            no_quota.append(line)
        else:
            members[band_of(attainment)].append(line)
    title = "Attainment across reps"
    if not any(members):
        return empty_chart(
            "distribution",
            title,
            "No rep has a quota for this period: sales operations sets quotas in "
            "the admin (Quotas).",
        )
    labels = [label for label, _ in BANDS]
    links = [
        link("deals", measure="won", owner=",".join(str(m.pk) for m in band if m.pk), band=i)
        if any(m.pk for m in band)
        else None
        for i, band in enumerate(members)
    ]
    figure = charts.distribution(labels, [len(band) for band in members], links=links)
    rows = [
        Row(label, ", ".join(m.name for m in band) or "nobody", url)
        for label, band, url in zip(labels, members, links, strict=True)
    ]
    note = f"Without a quota: {', '.join(m.name for m in no_quota)}." if no_quota else ""
    return chart("distribution", title, figure, rows, note=note)


def pipeline_by_rep(scope: Scope, ids: dict[str, int], link):
    rows = list(
        scope.deals.filter(status=StageKind.OPEN)
        .order_by()
        .values(
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "stage_id",
            "stage__name",
            "stage__order",
        )
        .annotate(n=Count("id"), total=Sum("amount", output_field=MONEY_SUM))
    )
    title = "Open pipeline by rep and stage"
    if not rows:
        return empty_chart("pipeline", title, "No open deals in this scope.")
    names: dict[int | None, str] = {}
    for row in rows:
        first, last = row["owner__first_name"] or "", row["owner__last_name"] or ""
        names[row["owner_id"]] = f"{first} {last}".strip() or row["owner__username"] or "(none)"
    totals: dict[int | None, Decimal | int] = {}
    for row in rows:
        totals[row["owner_id"]] = totals.get(row["owner_id"], 0) + (row["total"] or 0)
    owners = sorted(totals, key=lambda pk: (-totals[pk], names[pk]))
    stages = sorted({(r["stage__order"], r["stage_id"], r["stage__name"]) for r in rows})
    cells: dict[tuple[int | None, int], Mapping[str, Any]] = {
        (r["owner_id"], r["stage_id"]): r for r in rows
    }
    series, links = {}, {}
    for _, stage_id, stage_name in stages:
        series[stage_name] = [(cells.get((pk, stage_id)) or {}).get("total") or 0 for pk in owners]
        links[stage_name] = [
            link("deals", measure="open", stage=stage_id, owner=pk) if pk else None for pk in owners
        ]
    figure = charts.stacked([names[pk] for pk in owners], series, links=links, horizontal=True)
    table = [
        Row(
            names[pk],
            fmt(totals[pk], CURRENCY),
            link("deals", measure="open", owner=pk) if pk else None,
        )
        for pk in owners
    ]
    return chart("pipeline", title, figure, table, wide=True)


def funnel_chart(total: dict, link):
    steps = [
        ("Calls", total["calls"], link("activities", activity="call")),
        ("Appointments", total["appointments"], link("activities", activity="appointment")),
        ("Quotes sent", total["quotes_sent"], link("activities", activity="quote")),
        ("Won", total["deals_won"], link("deals", measure="won")),
    ]
    title = "Activity funnel"
    if not any(value for _, value, _ in steps):
        return empty_chart(
            "funnel",
            title,
            "No calls, appointments, quotes or wins in this period. Activities "
            "appear once reps log them (API or admin).",
        )
    figure = charts.funnel(
        [s[0] for s in steps], [s[1] or 0 for s in steps], links=[s[2] for s in steps]
    )
    ratios = [
        None,
        total["call_to_appointment_rate"],
        total["appointment_to_quote_rate"],
        total["quote_to_win_rate"],
    ]
    rows = [
        Row(
            label,
            f"{value or 0:,}"
            + (
                ""
                if ratio is None and index == 0
                else f" ({fmt(ratio, FRACTION)} of the step before)"
            ),
            url,
        )
        for index, ((label, value, url), ratio) in enumerate(zip(steps, ratios, strict=True))
    ]
    return chart("funnel", title, figure, rows)


DEFAULT_DAYS = DEFAULT_STUCK_DAYS
