"""The quota family: targets whose whole month, quarter or year falls inside the period.

When one assignee has quotas of several lengths there (a year and its months), the longest
counts, so a target is never added twice. The query keeps the quotas that fit and returns
them summed per assignee, metric and length (per start too for month and quarter groups);
those rows are few, and Python attributes them to groups.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from core.periods import PERIOD_MONTHS, Period, add_months, bucket_starts, period_containing
from metrics.queries.common import TIME_GROUPS, TOTAL, Rows, in_period
from quotas.models import Quota, QuotaMetric

# Per grouping: which assignees' quotas a group adds up, and the field naming the group.
# A team with a quota of its own uses it; otherwise its members' quotas add up.
ATTRIBUTION = {
    "rep": [("rep", "rep_id")],
    "manager": [("rep", "rep__manager_id")],
    "team": [("team", "team_id"), ("rep", "rep__team_id")],
    "territory": [("territory", "territory_id")],
}
Rule = tuple[str, str | None]
METRICS = tuple(QuotaMetric.values)


def quota_rows(quotas: QuerySet[Quota], period: Period, by: str | None) -> Rows | None:
    """Quota per metric (None when there is none) per group and TOTAL; None if not groupable."""
    if by not in (None, *TIME_GROUPS, *ATTRIBUTION):
        return None
    fitting = quotas.filter(in_period("start", period) & _ending_by(period.end))
    if by not in TIME_GROUPS:
        rows = _quota_list(fitting)
        result = _company(rows, None, TOTAL)
        return result | _attribute(rows, ATTRIBUTION[by]) if by else result
    rows = _quota_list(fitting, "start")
    result = _company(rows, None, TOTAL)
    for row in rows:
        row["bucket"] = bucket_starts(row["start"], row["start"], by)[0]
    inside = [row for row in rows if _inside(row, _bucket(row["bucket"], by))]
    return result | _company(inside, "bucket", None)


def _ending_by(end: date) -> Q:
    """Quotas whose whole month, quarter or year is over by `end` (a quota starts its period)."""
    if end == date.max:
        return Q()
    month = date(end.year, end.month, 1)  # the last first-of-month a period can end on
    fits = Q(pk__in=[])  # none, when even a month cannot end by then (the first of year 1)
    for kind, months in PERIOD_MONTHS.items():
        if (month.year - 1) * 12 + month.month - 1 >= months:
            fits |= Q(period=kind, start__lte=add_months(month, -months))
    return fits


def _quota_list(quotas: QuerySet[Quota], *extra: str) -> list[dict]:
    """Quota amounts summed per assignee, metric and length (and `extra` fields)."""
    fields = ("rep_id", "team_id", "territory_id", "rep__manager_id", "rep__team_id")
    rows = list(
        quotas.order_by().values(*fields, "metric", "period", *extra).annotate(amount=Sum("amount"))
    )
    for row in rows:
        row["assignee"] = _assignee(row)
    return rows


def _inside(row: dict, period: Period) -> bool:
    return period_containing(row["start"], row["period"]).end <= period.end


def _bucket(start: date, by: str) -> Period:
    return Period(start, add_months(start, 1 if by == "month" else 3))


def _assignee(row: dict) -> str:
    return "rep" if row["rep_id"] else "team" if row["team_id"] else "territory"


def _company(rows: list[dict], key_field: str | None, constant: object) -> Rows:
    """The whole scope's quota: its reps' quotas, or failing those its teams'.

    Territory quotas are left out: the levels of the territory tree would count twice.
    """
    for level in ("rep", "team"):
        mine = [row for row in rows if row["assignee"] == level]
        if mine:
            return _attribute(mine, [(level, key_field)], constant)
    return {constant: dict.fromkeys(METRICS)} if constant is not None else {}


def _attribute(rows: list[dict], rules: Sequence[Rule], constant: object = None) -> Rows:
    """Sum quotas per group key and metric; a group a rule has filled is left to it."""
    amounts: dict = defaultdict(lambda: defaultdict(Decimal))
    claimed: set = set()
    for level, key_field in rules:
        found = set()
        assignee = f"{level}_id"
        for row in rows:
            if row["assignee"] != level:
                continue
            key = constant if key_field is None else row[key_field]
            if (key, row["metric"]) in claimed:
                continue
            found.add((key, row["metric"]))
            amounts[(key, row["metric"], row[assignee])][row["period"]] += row["amount"]
        claimed |= found
    result: Rows = defaultdict(lambda: dict.fromkeys(METRICS))
    for (key, metric, _), by_length in amounts.items():
        longest = max(by_length, key=PERIOD_MONTHS.__getitem__)
        result[key][metric] = (result[key][metric] or Decimal(0)) + by_length[longest]
    return dict(result)
