"""The subscription family: MRR at a date, its monthly movements, customers and churn.

An account's move (new, expansion, churn...) depends on its total MRR, not on any one row, so
the family is two aggregations deep: the ORM groups the scoped subscription rows per account
into its MRR (in cents) at each month boundary, and one outer SQL statement classifies every
account's moves with CASE and sums them per group. No account row reaches Python.

MRR at a date d sums the rows with start <= d and (end empty or end > d).
"""

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, F, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce

from core.periods import Period, add_months, bucket_starts, month_boundaries
from metrics.formulas import ZERO
from metrics.queries.common import TIME_GROUPS, TOTAL, Rows, groupable
from pipeline.models import Subscription

PATHS: dict[str, str] = {
    "rep": "account__owner_id",
    "manager": "account__owner__manager_id",
    "team": "account__owner__team_id",
    "territory": "account__territory_id",
    "product": "product_id",
    "segment": "account__segment",
}
DAY = timedelta(days=1)


def active_on(day: date) -> Q:
    """Rows that count in the MRR of `day`: started by then and not yet ended."""
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gt=day))


@dataclass
class Ledger:
    """MRR and customers between two snapshots, and everything that moved in between."""

    opening_mrr: Decimal = ZERO
    mrr: Decimal = ZERO  # closing
    opening_customers: int = 0
    customers: int = 0  # closing
    new: Decimal = ZERO
    reactivated: Decimal = ZERO
    expansion: Decimal = ZERO
    contraction: Decimal = ZERO
    churned: Decimal = ZERO
    churned_customers: int = 0  # summed over the month boundaries
    customer_months: Decimal = ZERO  # customers at risk, weighted by each segment's month share
    lost_customers: int = 0  # customers at the opening who are gone at the closing
    retained_mrr: Decimal = ZERO  # closing MRR of the opening customers
    lost_mrr: Decimal = ZERO  # churn and contraction of the opening customers


def snapshot_days(subscriptions: QuerySet[Subscription], period: Period, today: date) -> list[date]:
    """The days whose MRR opens and closes each month of the period (none after today).

    The MRR of a boundary is the MRR on the day before it, so a month opens where the previous
    one closed, and a subscription starting on the 1st is new in that month.
    """
    first = subscriptions.aggregate(first=Min("start"))["first"]
    end = min(period.end, today + DAY)
    if period.start == date.min:  # all history starts with the first subscription (or today)
        start = first or today
    else:
        # Months before the first subscription hold no MRR and no customers: skip them, so a
        # period opening decades early costs no more than one opening where the data does.
        quiet = min(first or end, end - DAY)
        start = max(period.start, date(quiet.year, quiet.month, 1))
    if start >= end:
        return []
    return [boundary - DAY for boundary in month_boundaries(Period(start, end))]


def month_share(first: date, last: date) -> Decimal:
    """The segment between two snapshots as a share of its calendar month (1 for a full one)."""
    month = date((first + DAY).year, (first + DAY).month, 1)
    return Decimal((last - first).days) / (add_months(month, 1) - month).days


def subscription_rows(
    subscriptions: QuerySet[Subscription], period: Period, by: str | None, today: date
) -> Rows | None:
    """Ledgers (as dicts) per group and a TOTAL; None when there is nothing to compute."""
    if not groupable(by, PATHS):
        return None
    days = snapshot_days(subscriptions, period, today)
    if not days:
        return None
    whole = {TOTAL: (0, len(days) - 1)}
    if by is None or by in TIME_GROUPS:  # one group: the whole scope
        ledgers = _ledgers(subscriptions, days, None, _spans(days, by)).get(None, {})
    else:
        per_group = _ledgers(subscriptions, days, PATHS[by], whole)
        ledgers = {group: spans[TOTAL] for group, spans in per_group.items()}
        if by == "product":  # an account can be in several product groups
            ledgers[TOTAL] = (
                _ledgers(subscriptions, days, None, whole).get(None, {}).get(TOTAL) or Ledger()
            )
        else:
            ledgers[TOTAL] = _added(list(ledgers.values()))
    ledgers[TOTAL] = ledgers.get(TOTAL) or Ledger()
    return {group: vars(ledger) for group, ledger in ledgers.items()}


Span = tuple[int, int]  # indexes of the opening and the closing snapshot


def _spans(days: list[date], by: str | None) -> dict[object, Span]:
    """The whole period (TOTAL) and, in month and quarter groups, each bucket's snapshots."""
    spans: dict[object, Span] = {TOTAL: (0, len(days) - 1)}
    if by in TIME_GROUPS:
        for i, day in enumerate(days[:-1]):
            start = bucket_starts(day + DAY, day + DAY, by)[0]
            spans[start] = (spans.get(start, (i, i))[0], i + 1)
    return spans


def _per_account(
    subscriptions: QuerySet[Subscription], days: list[date], key: str | None
) -> QuerySet[Subscription, Any]:
    """Per account (and group): its first paid start and its MRR in cents at each day."""
    cents = {
        f"m{i}": Coalesce(
            Cast(Sum("mrr_cents", filter=active_on(day)), BigIntegerField()), Value(0)
        )
        for i, day in enumerate(days)
    }
    group = {"grp": F(key)} if key else {"grp": Value(None, output_field=BigIntegerField())}
    return (
        subscriptions.order_by()
        .values("account_id", **group)
        .annotate(first_paid=Min("start", filter=Q(mrr__gt=0)), **cents)
    )


def _ledgers(
    subscriptions: QuerySet[Subscription], days: list[date], key: str | None, spans: dict
) -> dict[object, dict[object, Ledger]]:
    """One outer statement over the per-account query: {group: {span: ledger}}."""
    inner, inner_params = _per_account(subscriptions, days, key).query.sql_with_params()
    columns, params = [], []
    for span in spans.values():
        for sql, args in _span_sql(days, *span):
            columns.append(sql)
            params.extend(args)
    sql = f"SELECT grp, {', '.join(columns)} FROM ({inner}) accounts GROUP BY grp"
    with connections[subscriptions.db].cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])
        rows = cursor.fetchall()
    shares = [month_share(first, last) for first, last in pairwise(days)]
    ledgers: dict[object, dict[object, Ledger]] = {}
    for group, *values in rows:
        ledgers[group] = {}
        for name, (lo, hi) in spans.items():
            width = 11 + hi - lo + 1
            ledgers[group][name] = _ledger(values[:width], shares, lo, hi)
            values = values[width:]
    return ledgers


def _span_sql(days: list[date], lo: int, hi: int) -> list[tuple[str, list]]:
    """SUM(...) columns for one span: opening and closing sums, every move, then customers."""
    segments = range(lo, hi)

    def over(case: str, i: int) -> str:
        return case.format(a=f"m{i}", b=f"m{i + 1}")

    def total(case: str, with_day: bool = False) -> tuple[str, list]:
        """One SUM over every segment; `with_day` passes each segment's opening day."""
        terms = [over(case, i) for i in segments] or ["0"]
        return f"SUM({' + '.join(terms)})", [
            days[i].isoformat() for i in segments
        ] if with_day else []

    kept = f"m{lo} > 0"
    return [
        (f"SUM(m{lo})", []),
        (f"SUM(m{hi})", []),
        total("CASE WHEN {a} = 0 AND {b} > 0 AND (first_paid IS NULL OR first_paid > %s) "
              "THEN {b} ELSE 0 END", with_day=True),
        total("CASE WHEN {a} = 0 AND {b} > 0 AND first_paid <= %s THEN {b} ELSE 0 END",
              with_day=True),
        total("CASE WHEN {a} > 0 AND {b} > {a} THEN {b} - {a} ELSE 0 END"),
        total("CASE WHEN {b} > 0 AND {b} < {a} THEN {a} - {b} ELSE 0 END"),
        total("CASE WHEN {a} > 0 AND {b} = 0 THEN {a} ELSE 0 END"),
        total("CASE WHEN {a} > 0 AND {b} = 0 THEN 1 ELSE 0 END"),
        (f"SUM(CASE WHEN {kept} AND m{hi} = 0 THEN 1 ELSE 0 END)", []),
        (f"SUM(CASE WHEN {kept} THEN m{hi} ELSE 0 END)", []),
        (f"SUM(CASE WHEN {kept} AND m{hi} < m{lo} THEN m{lo} - m{hi} ELSE 0 END)", []),
        *((f"SUM(CASE WHEN m{i} > 0 THEN 1 ELSE 0 END)", []) for i in range(lo, hi + 1)),
    ]  # fmt: skip


def _ledger(values: list, shares: list[Decimal], lo: int, hi: int) -> Ledger:
    """A Ledger from one span's columns (money in cents); `shares` are the segments' month
    shares."""
    money = [Decimal(int(v or 0)).scaleb(-2) for v in values[:7]]
    churned_customers, lost_customers = int(values[7] or 0), int(values[8] or 0)
    retained, lost = (Decimal(int(v or 0)).scaleb(-2) for v in values[9:11])
    customers = [int(v or 0) for v in values[11:]]
    months = sum((customers[i - lo] * shares[i] for i in range(lo, hi)), ZERO)
    return Ledger(
        opening_mrr=money[0], mrr=money[1], opening_customers=customers[0],
        customers=customers[-1], new=money[2], reactivated=money[3], expansion=money[4],
        contraction=money[5], churned=money[6], churned_customers=churned_customers,
        customer_months=months, lost_customers=lost_customers, retained_mrr=retained,
        lost_mrr=lost,
    )  # fmt: skip


def _added(ledgers: list[Ledger]) -> Ledger:
    total = Ledger()
    for ledger in ledgers:
        total = Ledger(*(getattr(total, f.name) + getattr(ledger, f.name) for f in fields(Ledger)))
    return total
