"""The deal family's flows read from the rollups (`DealCloseCell`, `DealCreateCell`).

The same numbers as `deals.deal_rows` gives for won, lost, revenue, sales cycles and
opportunities, from rows of one per month (or day, at a period's ragged ends) and credited
group instead of one per deal. A group key is a rollup column, or a month or quarter of the
close (or created) day; `ROLLUP_PATHS` is the registry a new grouping joins.
"""

from typing import Any

import numpy as np
from django.db.models import F, Q, Sum

from core.periods import Period
from metrics.queries.common import MONEY_SUM, TIME_GROUPS, TOTAL, Raw, Rows, bucket
from rollups.cycles import Joined, cycle_figures, pairs
from rollups.models import DealCloseCell, DealCreateCell
from rollups.selectors import cells_in

ROLLUP_PATHS = {
    "rep": "owner_id",
    "manager": "manager_id",
    "team": "team_id",
    "territory": "territory_id",
    "product": "product_id",
    "segment": "segment",
}


def rollup_answers(by: str | None) -> bool:
    """Whether the rollup holds the grouping `by` (no grouping, a time bucket or a column)."""
    return by is None or by in TIME_GROUPS or by in ROLLUP_PATHS


CLOSED_KEYS = ("won", "lost", "revenue", "revenue_new", "revenue_recurring", "new_recurring")
CYCLE_KEYS = ("cycles", "cycle_days", "cycle_median")
# Named `a_*`: an annotation called `won` would stand for the column in the filters.
SUMS = {
    "a_won": Sum("won", default=0),
    "a_lost": Sum("lost", default=0),
    **{f"a_{name}": Sum(name, output_field=MONEY_SUM) for name in CLOSED_KEYS[2:]},
    "a_cycles": Joined("cycles"),
}


def rollup_rows(where: Q, period: Period, by: str | None) -> Rows:
    """`closed_rollup_rows` with each group's opportunities (deals created in the period)."""
    rows = closed_rollup_rows(where, period, by)
    for key, row in created_rollup_rows(where, period, by).items():
        rows.setdefault(key, {}).update(row)
    return rows


def created_rollup_rows(where: Q, period: Period, by: str | None) -> Rows:
    """{group: {opportunities}} of the deals created in the period matching `where`, with a
    TOTAL."""
    cells = DealCreateCell.objects.filter(where & cells_in(period)).order_by()
    total = cells.aggregate(n=Sum("deals", default=0))["n"] if by is None else 0
    rows: Rows = {}
    if by is not None:
        key = _group(by)
        for row in cells.values(group=key).annotate(n=Sum("deals")):
            rows[row["group"]] = {"opportunities": row["n"]}
            total += row["n"]
    rows[TOTAL] = {"opportunities": total}
    return rows


def _group(by: str) -> F | Any:
    return bucket(by, "day") if by in TIME_GROUPS else F(ROLLUP_PATHS[by])


def closed_rollup_rows(where: Q, period: Period, by: str | None) -> Rows:
    """{group: won, lost, revenue..., cycles, cycle_days, cycle_median} of the deals closed in
    the period that match `where` (a condition on rollup columns), with a TOTAL.

    One query: the cells' sums per group, with their sales-cycle histograms joined; the exact
    median of each group (and of the total) is read off its histogram (`rollups.cycles`).
    """
    cells = DealCloseCell.objects.filter(where & cells_in(period)).order_by()
    found: list[dict[str, Any]]
    if by is None:
        found = [{"group": TOTAL, **cells.aggregate(**SUMS)}]
    else:
        found = [dict(row) for row in cells.values(group=_group(by)).annotate(**SUMS)]
    result: Rows = {}
    total: Raw = dict.fromkeys(CLOSED_KEYS, 0)
    every = []
    for row in found:
        cycles = pairs(row["a_cycles"])
        sums = {name: row[f"a_{name}"] or 0 for name in CLOSED_KEYS}
        result[row["group"]] = {**sums, **cycle_figures(cycles)}
        every.append(cycles)
        for name in CLOSED_KEYS:
            total[name] += sums[name]
    result[TOTAL] = {**total, **cycle_figures(np.concatenate([pairs(""), *every]))}
    return result
