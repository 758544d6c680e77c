"""KPIs for a scope and a period: the family queries joined with the formulas.

Returns plain values (dataclasses and dicts of Decimal, int, None); knows nothing of HTTP.
A KPI without a value is None. Values are exact; `definitions.display` rounds for showing.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from django.db.models import Q, Sum
from django.utils import timezone

from core.periods import ALL_TIME, Period, add_months, end_of_day, is_bounded, weekdays_in
from metrics import formulas as f
from metrics.definitions import ACTIVITY_KINDS, KPIS, activity_targets, gross_margin
from metrics.models import SalesSpend
from metrics.queries.activities import activity_rows
from metrics.queries.common import TIME_GROUPS, TOTAL, Raw, Rows, in_period
from metrics.queries.deals import ADDITIVE, deal_rows, new_customers
from metrics.queries.groups import group_labels, headcount
from metrics.queries.movement import MOVES, movement_rows
from metrics.queries.quotas import quota_rows
from metrics.queries.stages import stage_rows
from metrics.queries.subscriptions import Ledger, subscription_rows
from metrics.queries.surveys import survey_rows
from metrics.scope import Scope
from quotas.models import QuotaMetric
from rollups.stats import is_filled

Value = Decimal | int | None
Values = dict[str, Value]
FAMILY_KEYS = {
    family: [kpi.key for kpi in KPIS.values() if kpi.family == family]
    for family in ("subscriptions", "activities")
}


@dataclass(frozen=True)
class Group:
    key: str  # the name people know: a rep's full name, a territory, `2017-03`
    values: Values


@dataclass(frozen=True)
class Panel:
    period: Period
    by: str | None
    total: Values
    groups: list[Group] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What turns one group's raw aggregates into KPIs besides the aggregates themselves."""

    period: Period
    today: date
    reps: int | None
    margin: Decimal
    targets: dict[str, Decimal]


def kpi_panel(
    scope: Scope,
    period: Period = ALL_TIME,
    by: str | None = None,
    *,
    today: date | None = None,
    as_of: date | None = None,
    total: bool = True,
) -> Panel:
    """Every KPI of the registry for the scope and period: the total and one row per group.

    `by` is None or one of rep, manager, team, territory, product, segment, source (the
    deals' lead source), month, quarter.
    With `as_of`, the stock KPIs (open deals, pipeline, weighted pipeline, coverage) are the
    pipeline as it stood at the end of that day, and `today` defaults to it.
    With `total=False` (for callers that show only the groups) the total is left empty,
    which spares the queries a total of months or quarters needs of its own.
    """
    today = today or as_of or timezone.localdate()
    closed = _rollup_condition(scope)
    families = _families(scope, period, by, today, as_of, closed)
    people = headcount(scope, by, period)
    base = Context(period, today, None, gross_margin(), activity_targets())
    values: Values = {}
    if total or by is None:
        totals = _totals(scope, period, by, today, as_of, families, closed)
        values = _kpis(totals, _context(base, TOTAL, by, people))
        values["customer_acquisition_cost"] = _acquisition_cost(scope, period)
    if by is None:
        return Panel(period, by, values)
    seen = {key for rows in families.values() if rows for key in rows}
    groups = [
        Group(label, _kpis(_raw(families, key, by, today), _context(base, key, by, people)))
        for key, label in group_labels(scope, by, period, seen).items()
    ]
    return Panel(period, by, values, groups)


def _rollup_condition(scope: Scope) -> Q | None:
    """The scope's deals as a condition on the rollups' columns, when they are filled."""
    if scope.closed is None or not is_filled("deals_closed", "deals_created"):
        return None
    return scope.closed


def _acquisition_cost(scope: Scope, period: Period) -> Decimal | None:
    """Spend of the months starting in the period / new customers won in it. Spend is entered
    for the whole company, so a narrowed scope (a team, a territory, a product...) has none."""
    if not scope.company:
        return None
    spend = SalesSpend.objects.filter(in_period("month", period)).aggregate(total=Sum("amount"))
    if spend["total"] is None:
        return None
    return f.ratio(spend["total"], new_customers(scope.deals, period))


def kpi_series(
    scope: Scope, period: Period, freq: str = "month", *, today: date | None = None
) -> pd.DataFrame:
    """KPIs as time series: one row per calendar month or quarter, one column per KPI."""
    panel = kpi_panel(scope, period, freq, today=today, total=False)
    frame = pd.DataFrame([group.values for group in panel.groups], columns=list(KPIS))
    frame.index = pd.Index([group.key for group in panel.groups], name=freq)
    return frame


def _families(
    scope: Scope,
    period: Period,
    by: str | None,
    today: date,
    as_of: date | None,
    closed: Q | None,
) -> dict[str, Rows | None]:
    """One grouped query per family; None for a family that cannot be grouped that way."""
    return {
        "deals": deal_rows(scope.deals, period, by, today=today, as_of=as_of, closed=closed),
        "subscriptions": subscription_rows(scope.subscriptions, period, by, today),
        "surveys": survey_rows(scope.surveys, period, by),
        "quotas": quota_rows(scope.quotas, period, by),
        "activities": activity_rows(scope.activities, period, by),
        "stages": stage_rows(scope.deals, period, by) if scope.stage_moves else None,
    }


def _totals(
    scope: Scope,
    period: Period,
    by: str | None,
    today: date,
    as_of: date | None,
    families: dict,
    closed: Q | None,
) -> dict[str, Raw | None]:
    """The TOTAL row of each family: from its grouped rows when they add up, else a query."""
    totals = {name: _filled(name, rows, TOTAL) for name, rows in families.items()}
    if by is None:
        return totals
    if by in TIME_GROUPS:  # the open pipeline is not bucketed by month as a whole
        deals = deal_rows(scope.deals, period, None, today=today, as_of=as_of, closed=closed)
        totals["deals"] = _filled("deals", deals, TOTAL)
    for name, query in (("surveys", survey_rows), ("activities", activity_rows)):
        rows = families[name]
        if rows is None:
            rows = query(getattr(scope, name), period, None)
        totals[name] = {**EMPTY[name], **(rows[TOTAL] if TOTAL in rows else _added(rows))}
    stages = families["stages"]
    if not scope.stage_moves:
        totals["stages"] = None
        return totals
    if stages is None or TOTAL not in stages:  # moves are disjoint: rep and time groups add up
        stages = (
            stage_rows(scope.deals, period, None) if stages is None else {TOTAL: _added(stages)}
        )
    totals["stages"] = _filled("stages", stages, TOTAL)
    return totals


def _filled(name: str, rows: Rows | None, key) -> Raw | None:
    """A family's row for `key`, with the family's empty values where it has none."""
    return None if rows is None else {**EMPTY[name], **rows.get(key, {})}


def _added(rows: Rows) -> Raw:
    """Counts of disjoint groups added up."""
    total: Raw = {}
    for row in rows.values():
        for name, value in row.items():
            total[name] = total.get(name, 0) + (value or 0)
    return total


def _raw(families: dict[str, Rows | None], key, by: str, today: date) -> dict[str, Raw | None]:
    """One group's raw aggregates per family; a group without rows has empty ones."""
    raw: dict[str, Raw | None] = {}
    for name, rows in families.items():
        future = name == "subscriptions" and by in TIME_GROUPS and key > today
        # No MRR is known for a month still to come.
        raw[name] = None if future and rows and key not in rows else _filled(name, rows, key)
    return raw


EMPTY: dict[str, Raw] = {
    "deals": {**dict.fromkeys(ADDITIVE, 0), "cycle_median": None},
    "subscriptions": Ledger().__dict__,
    "surveys": {},
    "quotas": dict.fromkeys(QuotaMetric.values),
    "activities": {},
    "stages": {"stage_moves": 0, "stage_moves_on": 0, "stage_days": 0},
}


def _context(base: Context, key, by: str | None, people: dict) -> Context:
    """The period and headcount of one group (a month group has the month as its period)."""
    period = base.period
    if by in TIME_GROUPS and key is not TOTAL:
        bucket = Period(key, add_months(key, 1 if by == "month" else 3))
        period = Period(max(bucket.start, period.start), min(bucket.end, period.end))
    if key is TOTAL or by in TIME_GROUPS:
        reps = people[TOTAL]
    elif by == "rep":
        reps = None if key is None else 1
    elif by in ("manager", "team", "territory"):
        reps = people.get(key, 0 if key is not None else None)
    else:
        reps = None  # products, segments and sources have no headcount
    return Context(period, base.today, reps, base.margin, base.targets)


def _kpis(raw: dict[str, Raw | None], context: Context) -> Values:
    """Every registry KPI for one group, in registry order."""
    deal_raw = raw["deals"]
    assert deal_raw is not None  # deals group every way (deal_rows never returns None)
    deals = _deal_kpis(deal_raw, context)
    values: Values = {
        **deals,
        **_subscription_kpis(raw["subscriptions"], context.margin),
        **_survey_kpis(raw["surveys"]),
        **_quota_kpis(raw["quotas"], deal_raw, context),
        **_activity_kpis(raw["activities"], deals["deals_won"], context),
        **_stage_kpis(raw["stages"]),
    }
    return {key: values[key] for key in KPIS}


def _stage_kpis(raw: Raw | None) -> Values:
    if raw is None:
        return {"stage_conversion": None, "time_in_stage_days_mean": None}
    return {
        "stage_conversion": f.ratio(raw["stage_moves_on"], raw["stage_moves"]),
        "time_in_stage_days_mean": f.ratio(raw["stage_days"], raw["stage_moves"]),
    }


def _money(raw: Raw, name: str) -> Decimal:
    return Decimal(raw.get(name) or 0)


def _deal_kpis(raw: Raw, context: Context) -> Values:
    revenue, won, lost = _money(raw, "revenue"), raw["won"], raw["lost"]
    return {
        "revenue": revenue,
        "revenue_new_customers": _money(raw, "revenue_new"),
        "revenue_existing_customers": revenue - _money(raw, "revenue_new"),
        "revenue_recurring": _money(raw, "revenue_recurring"),
        "revenue_one_time": revenue - _money(raw, "revenue_recurring"),
        "new_recurring_revenue": _money(raw, "new_recurring"),
        "deals_won": won,
        "deals_lost": lost,
        "opportunities": raw["opportunities"],
        "win_rate": f.win_rate(won, lost),
        "close_rate": f.close_rate(won, lost, raw["opportunities"]),
        "average_deal_size": f.average_deal_size(revenue, won),
        "sales_cycle_days_median": raw["cycle_median"],
        "sales_cycle_days_mean": f.ratio(raw["cycle_days"], raw["cycles"]),
        "open_deals": raw["open_deals"],
        "pipeline_amount": _money(raw, "pipeline"),
        "weighted_pipeline": f.weighted_amount(_money(raw, "weighted_x100")),
        "reps": context.reps,
        "revenue_per_rep": f.ratio(revenue, context.reps),
        "customer_acquisition_cost": None,  # company-wide totals only: see kpi_panel
    }


def _subscription_kpis(raw: Raw | None, margin: Decimal) -> Values:
    if raw is None:
        return dict.fromkeys(FAMILY_KEYS["subscriptions"])
    ledger = Ledger(**raw)
    arpa = f.arpa(ledger.mrr, ledger.customers)
    monthly_churn = f.ratio(ledger.churned_customers, ledger.customer_months)
    added = ledger.new + ledger.reactivated + ledger.expansion
    return {
        "mrr": ledger.mrr,
        "arr": f.arr(ledger.mrr),
        "customers": ledger.customers,
        "arpa": arpa,
        "mrr_new": ledger.new,
        "mrr_reactivated": ledger.reactivated,
        "mrr_expansion": ledger.expansion,
        "mrr_contraction": ledger.contraction,
        "mrr_churned": ledger.churned,
        "net_new_mrr": added - ledger.contraction - ledger.churned,
        "net_revenue_retention": f.ratio(ledger.retained_mrr, ledger.opening_mrr),
        "customer_churn_rate": f.ratio(ledger.lost_customers, ledger.opening_customers),
        "revenue_churn_rate": f.ratio(ledger.lost_mrr, ledger.opening_mrr),
        "monthly_churn_rate": monthly_churn,
        "clv": f.clv(arpa, margin, monthly_churn),
    }


def _survey_kpis(raw: Raw | None) -> Values:
    if raw is None:
        return dict.fromkeys(("csat", "csat_responses", "nps", "nps_responses"))
    csat_n, nps_n = raw.get("csat_responses", 0), raw.get("nps_responses", 0)
    return {
        "csat": f.csat(raw.get("csat_satisfied", 0), csat_n),
        "csat_responses": csat_n,
        "nps": f.nps(raw.get("promoters", 0), raw.get("detractors", 0), nps_n),
        "nps_responses": nps_n,
    }


def _quota_kpis(quota: Raw | None, deals: Raw, context: Context) -> Values:
    quota = quota or dict.fromkeys(QuotaMetric.values)
    bookings, revenue = quota["bookings"], _money(deals, "revenue")
    elapsed, remaining = _days_elapsed_and_remaining(context.period, context.today)
    pipeline = f.weighted_amount(_money(deals, "period_weighted_x100"))
    return {
        "quota": bookings,
        "quota_attainment": f.ratio(revenue, bookings),
        "projected_revenue": None if elapsed is None else f.projected(
            revenue, elapsed, context.period.days
        ),
        "revenue_needed_per_day": None if remaining is None else f.daily_needed(
            revenue, bookings, remaining
        ),
        "pipeline_coverage": f.coverage(pipeline, bookings, revenue),
        "deals_won_quota": quota["deals_won"],
        "deals_won_attainment": f.ratio(deals["won"], quota["deals_won"]),
        "new_recurring_quota": quota["new_recurring"],
        "new_recurring_attainment": f.ratio(_money(deals, "new_recurring"), quota["new_recurring"]),
    }  # fmt: skip


def _days_elapsed_and_remaining(period: Period, today: date) -> tuple[int | None, int | None]:
    """Days of the period up to and including today, and days after today (None: unbounded)."""
    if not is_bounded(period):
        return None, None
    tomorrow = today + timedelta(days=1)
    elapsed = min(max((tomorrow - period.start).days, 0), period.days)
    remaining = min(max((period.end - tomorrow).days, 0), period.days)
    return elapsed, remaining


def _activity_kpis(raw: Raw | None, deals_won: Value, context: Context) -> Values:
    if raw is None:
        return dict.fromkeys(FAMILY_KEYS["activities"])
    days = weekdays_in(context.period) if is_bounded(context.period) else None
    values: Values = {}
    for kind in ACTIVITY_KINDS:
        count = raw.get(kind, 0)
        per_day = f.per_rep_day(count, context.reps, days)
        values[kind] = count
        values[f"{kind}_per_rep_day"] = per_day
        values[f"{kind}_target_attainment"] = f.ratio(per_day, context.targets.get(kind))
    values["call_to_appointment_rate"] = f.ratio(values["appointments"], values["calls"])
    values["appointment_to_quote_rate"] = f.ratio(values["quotes_sent"], values["appointments"])
    values["quote_to_win_rate"] = f.ratio(deals_won, values["quotes_sent"])
    return values


@dataclass(frozen=True)
class Movement:
    """How one group's open pipeline went from `start` to `end` (amounts, all >= 0)."""

    key: str
    start: Decimal
    new: Decimal
    reopened: Decimal
    pulled_in: Decimal
    expanded: Decimal
    contracted: Decimal
    pushed_out: Decimal
    won: Decimal
    lost: Decimal
    end: Decimal


def pipeline_movement(
    scope: Scope,
    start: date,
    end: date,
    by: str | None = "rep",
    *,
    window: Period | None = None,
) -> tuple[Movement, list[Movement]]:
    """The pipeline waterfall from the end of day `start` to the end of day `end`.

    Returns the total and one movement per group (by the deal's owner at `end` for reps).
    With a `window` (e.g. this quarter) only deals expected to close in it are pipeline.
    """
    rows = movement_rows(scope.deals, end_of_day(start), end_of_day(end), window, by)
    total = _movement("Total", rows.pop(TOTAL, {}) or _added(rows))
    if by is None:
        return total, []
    labels = group_labels(scope, by, ALL_TIME, rows)
    return total, [_movement(label, rows.get(key, {})) for key, label in labels.items()]


def _movement(key: str, raw: Raw) -> Movement:
    amounts = {name: Decimal(raw.get(name) or 0) for name in ("start", *MOVES, "end")}
    return Movement(key=key, **amounts)
