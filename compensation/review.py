"""Reads for the pay pages: one statement explained, and one period's statements reviewed.

Both start from statements the access layer has already scoped.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from statistics import median

from django.db.models import Count, QuerySet, Sum

from compensation.models import Dispute, LineKind, Statement, StatementLine, StatementStatus
from core.periods import add_months, period_containing

ZERO = Decimal(0)
PAID_ON_DEALS = {LineKind.COMMISSION, LineKind.SPIF}
DRAWS = {LineKind.DRAW, LineKind.DRAW_RECOVERY}
# A payout above this many times the period's median is flagged for a second look.
ANOMALY_TIMES = Decimal(5)


@dataclass(frozen=True)
class TierCrossed:
    component: str
    tier: str
    rate: Decimal | None
    base: Decimal
    amount: Decimal


@dataclass
class StatementView:
    statement: Statement
    deals: list[StatementLine] = field(default_factory=list)
    tiers: list[TierCrossed] = field(default_factory=list)
    bonuses: list[StatementLine] = field(default_factory=list)
    caps: list[StatementLine] = field(default_factory=list)
    clawbacks: list[StatementLine] = field(default_factory=list)
    adjustments: list[StatementLine] = field(default_factory=list)
    draws: list[StatementLine] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    year_to_date: Decimal = ZERO
    year_statements: int = 0


def _tiers(lines: list[StatementLine]) -> list[TierCrossed]:
    sums: dict[tuple[str, str, Decimal | None], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        if line.kind == LineKind.COMMISSION:
            entry = sums[line.component, line.tier, line.rate]
            entry[0] += line.base or ZERO
            entry[1] += line.amount
    return [TierCrossed(c, t, r, base, amount) for (c, t, r), (base, amount) in sums.items()]


def statement_view(statement: Statement, statements: QuerySet[Statement]) -> StatementView:
    """A statement grouped as a rep reads it: deal lines, the tiers crossed, bonuses, caps,
    clawbacks, adjustments, draws, its disputes, and the fiscal year to date (from the rep's
    statements of the same kind in `statements`, up to this one)."""
    lines = list(statement.lines.select_related("created_by").order_by("position"))
    view = StatementView(statement, tiers=_tiers(lines))
    groups = {
        LineKind.BONUS: view.bonuses,
        LineKind.CAP: view.caps,
        LineKind.CLAWBACK: view.clawbacks,
        LineKind.ADJUSTMENT: view.adjustments,
    }
    for line in lines:
        if line.kind in PAID_ON_DEALS:
            view.deals.append(line)
        elif line.kind in DRAWS:
            view.draws.append(line)
        else:
            groups[LineKind(line.kind)].append(line)
    view.disputes = list(statement.disputes.select_related("line", "resolved_by"))
    year = period_containing(statement.start, "year")
    so_far = statements.filter(
        rep_id=statement.rep_id,
        period=statement.period,
        start__gte=year.start,
        start__lte=statement.start,
    ).aggregate(total=Sum("total"), count=Count("id"))
    view.year_to_date, view.year_statements = so_far["total"] or ZERO, so_far["count"]
    return view


@dataclass(frozen=True)
class RunRow:
    statement: Statement
    previous: Decimal | None  # the rep's total in the same currency the period before
    anomaly: str

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.statement.total - self.previous


@dataclass(frozen=True)
class CurrencyTotal:
    """A period's pay in one currency: amounts in different currencies are never added."""

    currency: str
    total: Decimal
    previous: Decimal | None  # the period before, in this currency; None without statements
    median: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.total - self.previous


@dataclass(frozen=True)
class RunReview:
    period: str
    start: date
    rows: tuple[RunRow, ...]
    totals: tuple[CurrencyTotal, ...]  # by currency code
    closed: int
    open: int

    @property
    def is_closed(self) -> bool:
        return bool(self.rows) and not self.open


def _anomaly(total: Decimal, middle: Decimal | None) -> str:
    if total < 0:
        return "negative: pays back more than it earns"
    if middle and middle > 0 and total > ANOMALY_TIMES * middle:
        return f"over {ANOMALY_TIMES:f} times the median ({middle:,.2f})"
    return ""


def run_review(statements: QuerySet[Statement], period: str, start: date) -> RunReview:
    """The period's statements per rep, against each rep's previous period, with anomalies:
    a negative payout, or one over ANOMALY_TIMES times the median of its currency."""
    months = 1 if period == "month" else 3
    rows = list(
        statements.filter(period=period, start=start)
        .select_related("rep", "plan")
        .order_by("rep__last_name", "rep__first_name", "rep_id")
    )
    before = {
        (rep_id, currency): total
        for rep_id, currency, total in statements.filter(
            period=period, start=add_months(start, -months)
        ).values_list("rep_id", "currency", "total")
    }
    by_currency: dict[str, list[Decimal]] = defaultdict(list)
    for s in rows:
        by_currency[s.currency].append(s.total)
    middles = {currency: median(totals) for currency, totals in by_currency.items()}
    reviewed = tuple(
        RunRow(s, before.get((s.rep_id, s.currency)), _anomaly(s.total, middles[s.currency]))
        for s in rows
    )
    closed = sum(1 for s in rows if s.status == StatementStatus.CLOSED)
    return RunReview(
        period=period,
        start=start,
        rows=reviewed,
        totals=_currency_totals(by_currency, before, middles),
        closed=closed,
        open=len(rows) - closed,
    )


def _currency_totals(
    now: dict[str, list[Decimal]],
    before: dict[tuple[int, str], Decimal],
    middles: dict[str, Decimal],
) -> tuple[CurrencyTotal, ...]:
    earlier: dict[str, Decimal] = defaultdict(Decimal)
    for (_, currency), total in before.items():
        earlier[currency] += total
    return tuple(
        CurrencyTotal(
            currency, sum(now.get(currency, []), ZERO), earlier.get(currency), middles.get(currency)
        )
        for currency in sorted(set(now) | set(earlier))
    )


@dataclass(frozen=True)
class RunSummary:
    period: str
    start: date
    statements: int
    closed: int
    totals: tuple[tuple[str, Decimal], ...]  # (currency, total), by currency code


def run_list(statements: QuerySet[Statement]) -> list[RunSummary]:
    """Every period that has statements, newest first, with its count, closed count and total
    in each currency."""
    rows = (
        statements.values("period", "start", "status", "currency")
        .annotate(count=Count("id"), total=Sum("total"))
        .order_by()
    )
    counts: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
    totals: dict[tuple[str, date], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        key = row["period"], row["start"]
        counts[key][0] += row["count"]
        counts[key][1] += row["count"] if row["status"] == StatementStatus.CLOSED else 0
        totals[key][row["currency"]] += row["total"] or ZERO
    ordered = sorted(counts, key=lambda key: (key[1], key[0]), reverse=True)
    return [
        RunSummary(
            kind,
            start,
            statements=counts[kind, start][0],
            closed=counts[kind, start][1],
            totals=tuple(sorted(totals[kind, start].items())),
        )
        for kind, start in ordered
    ]
