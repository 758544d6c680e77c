"""Territory performance for the executive dashboard and the API, from the metrics service."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.periods import Period, years_before
from metrics import formulas as f
from metrics.scope import Scope
from metrics.service import kpi_panel


@dataclass(frozen=True)
class Performance:
    territory: str
    revenue: Decimal
    quota: Decimal | None
    attainment: Decimal | None
    win_rate: Decimal | None
    previous_revenue: Decimal
    growth: Decimal | None  # against the same days a year earlier
    won: int = 0
    lost: int = 0


def territory_performance(scope: Scope, period: Period, *, today: date) -> list[Performance]:
    """Revenue, quota attainment, win rate and year-on-year growth per territory (closed deals
    counted in the territory credited at close). Growth is like for like: a period still running
    on `today` is set against its days so far, a year earlier."""
    now = kpi_panel(scope, period, "territory", today=today, total=False)
    year_ago = Period(years_before(period.start), years_before(_so_far(period, today)))
    # KPI values differ in type by key (money, counts, rates): read them as Any.
    before: dict[Any, Mapping[str, Any]] = {
        g.key: g.values
        for g in kpi_panel(scope, year_ago, "territory", today=today, total=False).groups
    }
    rows = []
    for group in now.groups:
        values: Mapping[str, Any] = group.values
        previous = before.get(group.key, {}).get("revenue") or Decimal(0)
        rows.append(
            Performance(
                territory=group.key,
                revenue=values["revenue"],
                quota=values["quota"],
                attainment=values["quota_attainment"],
                win_rate=values["win_rate"],
                previous_revenue=previous,
                growth=f.ratio(values["revenue"] - previous, previous),
                won=values["deals_won"],
                lost=values["deals_lost"],
            )
        )
    return rows


def rolled_up(rows: list[Performance], parent_of: Mapping[str, str | None]) -> list[Performance]:
    """Each territory with its sub-territories added in, as the territory filter counts them:
    revenue, won and lost over the subtree; attainment against the territory's own quota;
    growth against the subtree a year earlier."""
    totals: dict[str, list] = {row.territory: [Decimal(0), Decimal(0), 0, 0] for row in rows}
    for row in rows:
        node: str | None = row.territory
        seen: set[str] = set()
        while node is not None and node in totals and node not in seen:
            seen.add(node)
            for i, part in enumerate((row.revenue, row.previous_revenue, row.won, row.lost)):
                totals[node][i] += part
            node = parent_of.get(node)
    rolled = []
    for row in rows:
        revenue, previous, won, lost = totals[row.territory]
        rolled.append(
            replace(
                row,
                revenue=revenue,
                previous_revenue=previous,
                won=won,
                lost=lost,
                attainment=f.ratio(revenue, row.quota) if row.quota else None,
                win_rate=f.win_rate(won, lost),
                growth=f.ratio(revenue - previous, previous),
            )
        )
    return rolled


def _so_far(period: Period, today: date) -> date:
    """The end of the days of `period` that have happened by `today` (its end, once over)."""
    if period.start <= today < period.end:
        return today + timedelta(days=1)
    return period.end
