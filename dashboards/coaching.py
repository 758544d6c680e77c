"""Who needs help: reps at risk of missing quota, and deals stuck in their stage."""

from datetime import date
from decimal import Decimal

from dashboards.coaching_gaps import coaching_gaps, team_of
from dashboards.common import (
    Cell,
    Table,
    deal_url,
    elapsed_fraction,
    fmt,
    working_days_done,
)
from dashboards.drill import stuck_deals
from dashboards.filters import Filters
from dashboards.rep import daily_targets
from dashboards.rep_lines import RepLine, rep_page
from metrics.definitions import CURRENCY, FRACTION
from metrics.scope import Scope
from pipeline.due import overdue_flag
from pipeline.models import StageKind

STUCK_SHOWN = 10
BEHIND_TEAM = Decimal("0.8")


def risks(line: RepLine, window, today: date, targets: dict) -> list[str]:
    """Why a rep is at risk: behind pace, low coverage, low activity (empty: not at risk)."""
    values = line.values
    reasons = []
    quota, revenue = values["quota"], values["revenue"] or Decimal(0)
    gone = elapsed_fraction(window, today)
    if quota and gone > 0 and revenue < quota:
        expected = Decimal(quota) * gone
        if revenue < expected * Decimal("0.8"):
            reasons.append(
                f"behind pace: {fmt(revenue, CURRENCY)} won, {fmt(expected, CURRENCY)} expected "
                "by today"
            )
    coverage = values["pipeline_coverage"]
    if coverage is not None and coverage < 1:
        reasons.append(
            f"low coverage: weighted pipeline covers {fmt(coverage, FRACTION)} of the "
            "quota still open"
        )
    days = working_days_done(window, today)
    calls_target = targets.get("calls")
    if days and calls_target:
        per_day = Decimal(values["calls"] or 0) / days
        if per_day < calls_target * Decimal("0.7"):
            reasons.append(
                f"low activity: {per_day:.1f} calls a working day, target {calls_target:g}"
            )
    return reasons


def at_risk_table(reps: list[RepLine], window, today: date, link, filters: Filters) -> Table:
    targets = daily_targets()
    rows = []
    for line in reps:
        reasons = risks(line, window, today, targets)
        if reasons:
            rows.append(
                [
                    Cell(line.name, rep_page(filters, line.pk)),
                    Cell(fmt(line.values["quota_attainment"], FRACTION), num=True),
                    Cell("; ".join(reasons), tone="bad"),
                ]
            )
    return Table(
        "at_risk",
        "Reps at risk",
        [("Rep", False), ("Attainment", True), ("Why", False)],
        rows,
        empty="Nobody is at risk: every rep is on pace, covered and active.",
        note="Behind pace: under 80 % of the even-pace target by today. Low coverage: under "
        "100 %. Low activity: under 70 % of the daily call target.",
        wide=True,
    )


def stuck_table(scope: Scope, today: date, days: int, link) -> Table:
    stuck = stuck_deals(scope.deals.filter(status=StageKind.OPEN), days, today)
    shown = list(
        stuck.annotate(overdue=overdue_flag(today))
        .order_by("last_move", "created_on", "id")
        .values(
            "id",
            "name",
            "amount",
            "stage__name",
            "created_on",
            "expected_close_on",
            "overdue",
            "last_move",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
        )[:STUCK_SHOWN]
    )
    rows = [
        [
            Cell(row["name"], deal_url(row["id"])),
            Cell(
                f"{row['owner__first_name']} {row['owner__last_name']}".strip()
                or row["owner__username"]
                or "(none)"
            ),
            Cell(row["stage__name"]),
            _expected(row),
            Cell(_since(row, today), num=True, tone="bad"),
            Cell(fmt(row["amount"], CURRENCY), num=True),
        ]
        for row in shown
    ]
    more = link("deals", measure="stuck", days=days)
    return Table(
        "stuck",
        f"Stuck deals (no stage change in {days} days)",
        [
            ("Deal", False),
            ("Owner", False),
            ("Stage", False),
            ("Expected close", False),
            ("Days in stage", True),
            ("Amount", True),
        ],
        rows,
        empty=f"No open deal has sat in its stage for more than {days} days.",
        note=f"The {STUCK_SHOWN} longest stuck; the full list has every one." if rows else "",
        more=more,
        wide=True,
    )


def _expected(row: dict) -> Cell:
    """The expected close date, marked when the open deal is past it."""
    expected = row["expected_close_on"]
    if row["overdue"]:
        return Cell(f"{expected.isoformat()} · overdue", tone="bad")
    return Cell(expected.isoformat() if expected else "")


def _since(row: dict, today: date) -> str:
    from django.utils import timezone

    moved = timezone.localdate(row["last_move"]) if row["last_move"] else row["created_on"]
    return f"{(today - moved).days:,}"


def coaching_table(reps: list[RepLine], window, today: date, link, filters: Filters) -> Table:
    """For each rep at risk or well behind the team's revenue per rep, the one or two gaps
    that cost them most, with the figures and the rows behind them."""
    targets = daily_targets()
    rows = []
    for line in reps:
        team = team_of([other for other in reps if other is not line])
        revenue = Decimal(line.values["revenue"] or 0)
        behind = revenue < team.revenue * BEHIND_TEAM
        if not (behind or risks(line, window, today, targets)):
            continue
        for gap in coaching_gaps(line, team):
            kind, params = gap.drill
            rows.append(
                [
                    Cell(line.name, rep_page(filters, line.pk)),
                    Cell(gap.driver, link(kind, owner=line.pk, **params), tone="bad"),
                    Cell(gap.figures),
                    Cell(fmt(gap.lost, CURRENCY), num=True),
                ]
            )
    return Table(
        "coaching",
        "Coaching suggestions",
        [("Rep", False), ("Gap", False), ("Figures", False), ("Revenue it cost", True)],
        rows,
        empty="No coaching gap: every rep at risk is within 10 % of the team on activity "
        "pace, stage conversion, deal size and cycle length.",
        note="For reps at risk or under 80 % of the team's revenue per rep: the one or two "
        "drivers that cost most, each against the rest of the team. Revenue it cost: what the "
        "rep would have won with the team's figure on that driver alone.",
        wide=True,
    )
