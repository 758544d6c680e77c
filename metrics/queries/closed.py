"""The closed-deal figures of the deal family read from the daily rollup (`DealCloseDay`).

The same numbers as `deals.deal_rows` gives for won, lost, revenue and sales cycles, from rows
of one per day and credited group instead of one per deal. A group key is a rollup column, or
a month or quarter of the close day; `ROLLUP_PATHS` is the registry a new grouping joins.
"""

from collections import Counter
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum

from core.periods import Period
from metrics.formulas import median_of_counts
from metrics.queries.common import MONEY_SUM, TIME_GROUPS, TOTAL, Raw, Rows, bucket, in_period
from pipeline.models import DealType
from rollups.models import DealCloseDay

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

WON = Q(won=True)
NEW = Q(deal_type=DealType.NEW_BUSINESS)
RECURRING = Q(recurring=True)


def closed_rollup_rows(where: Q, period: Period, by: str | None) -> Rows:
    """{group: won, lost, revenue..., cycles, cycle_days, cycle_median} of the deals closed in
    the period that match `where` (a condition on rollup columns), with a TOTAL.

    One query: the rows grouped by group and sales-cycle days; the sums and the exact median
    of each group (and of the total) are read off that histogram.
    """
    rows = DealCloseDay.objects.filter(where & in_period("day", period)).order_by()
    histogram = _histogram(rows, by)
    result: Rows = {}
    total: Raw = dict.fromkeys(CLOSED_KEYS, 0)
    cycles: dict = {TOTAL: Counter()}
    for row in histogram:
        key = TOTAL if by is None else row["group"]
        target = result.setdefault(key, dict.fromkeys(CLOSED_KEYS, 0))
        for name in CLOSED_KEYS:
            target[name] += row[f"a_{name}"] or 0
            if key is not TOTAL:
                total[name] += row[f"a_{name}"] or 0
        n = row["a_won"] + row["a_lost"]
        cycles.setdefault(key, Counter())[row["cycle_days"]] += n
        if key is not TOTAL:
            cycles[TOTAL][row["cycle_days"]] += n
    if by is not None:
        result[TOTAL] = total
    for key, counts in cycles.items():
        result.setdefault(key, dict.fromkeys(CLOSED_KEYS, 0)).update(_cycle(counts))
    return result


def _histogram(rows: QuerySet[DealCloseDay], by: str | None) -> QuerySet:
    if by is None:
        grouped = rows.values("cycle_days")
    elif by in TIME_GROUPS:
        grouped = rows.values("cycle_days", group=bucket(by, "day"))
    else:
        grouped = rows.values("cycle_days", group=F(ROLLUP_PATHS[by]))
    # Named `a_*`: an annotation called `won` would stand for the column in the filters.
    return grouped.annotate(
        a_won=Sum("deals", filter=WON, default=0),
        a_lost=Sum("deals", filter=~WON, default=0),
        a_revenue=_money(WON),
        a_revenue_new=_money(WON & NEW),
        a_revenue_recurring=_money(WON & RECURRING),
        a_new_recurring=_money(WON & NEW & RECURRING),
    )


def _money(condition: Q) -> Sum:
    return Sum("amount", filter=condition, output_field=MONEY_SUM)


def _cycle(counts: Counter) -> Raw:
    counts = +counts  # drop the days no deal took
    days = sum(day * n for day, n in counts.items())
    median: Decimal | None = median_of_counts(counts)
    return {"cycles": counts.total(), "cycle_days": days, "cycle_median": median}
