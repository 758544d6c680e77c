"""What a forecast run computes, read-only: every scope's lines for the periods ahead.

The database does the sums: one grouped query for the open pipeline per period kind, one for
closed revenue, one for monthly revenue history, each grouped by owner and territory (a
"cell"). Python then adds cells up into scopes (company, territories with their subtrees,
managers with their reporting trees, reps) and fits one time series per scope.
"""

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from threadpoolctl import threadpool_limits

from core.periods import Period, add_months, period_containing
from forecasting.blending import TrackPoint, Weight, blend, blend_weights
from forecasting.models import ForecastCall, PeriodKind, ScopeKind
from forecasting.probabilities import AGE_LIMITS, WinProbabilities
from forecasting.scopes import Cell, Org, ScopeRef, all_scopes, scopes_of_cell
from forecasting.timeseries import forecast_monthly
from pipeline.due import due_period_case, overdue_flag
from pipeline.models import ForecastCategory, StageKind
from pipeline.selectors import deal_states_as_of
from scoring.models import DealScore

PERIODS_AHEAD = 3  # the current period and the next two
WORKERS = min(2, os.cpu_count() or 1)  # processes fitting time series
PARALLEL_FROM = 40  # scopes; fewer fit faster in-process than a pool starts
CENT = Decimal("0.01")
CATEGORIES = ("commit", "best_case", "pipeline")
TERRITORY = Coalesce(
    "deal__closed_territory_id", "deal__account__territory_id", "deal__territory_id"
)

PeriodKey = tuple[str, date]  # (period kind, period start)


def forecast_periods(as_of: date) -> dict[str, list[Period]]:
    """The current period containing `as_of` and the next two, for months and quarters."""
    result = {}
    for kind in PeriodKind.values:
        first = period_containing(as_of, kind)
        months = (first.end.year - first.start.year) * 12 + first.end.month - first.start.month
        result[kind] = [
            Period(add_months(first.start, i * months), add_months(first.start, (i + 1) * months))
            for i in range(PERIODS_AHEAD)
        ]
    return result


@dataclass
class Sums:
    closed: Decimal = Decimal(0)
    commit: Decimal = Decimal(0)
    best_case: Decimal = Decimal(0)
    pipeline: Decimal = Decimal(0)
    weighted_open: Decimal = Decimal(0)

    def add(self, other: "Sums") -> None:
        for name in ("closed", "commit", "best_case", "pipeline", "weighted_open"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Facts:
    """Everything the database said, by cell."""

    periods: dict[str, list[Period]]
    sums: dict[Cell, dict[PeriodKey, Sums]] = field(default_factory=lambda: defaultdict(dict))
    history: dict[Cell, dict[date, Decimal]] = field(default_factory=lambda: defaultdict(dict))

    def cell_sums(self, cell: Cell, key: PeriodKey) -> Sums:
        return self.sums[cell].setdefault(key, Sums())


def _period_case(column: str, periods: list[Period], *, overdue_in_first: bool) -> Case:
    """The start of the period `column` falls in; with `overdue_in_first` (open deals), the
    period the deal is due in, overdue ones in the first (pipeline.due)."""
    if overdue_in_first:
        return due_period_case(column, periods)
    whens = [
        When(**{f"{column}__gte": p.start, f"{column}__lt": p.end}, then=Value(p.start))
        for p in periods
    ]
    return Case(*whens, default=None, output_field=DateField())


def _age_case(as_of: date) -> Case:
    """The age bucket of each deal on `as_of`, from its creation date (see probabilities)."""
    whens = [
        When(deal__created_on__gte=as_of - timedelta(days=limit), then=Value(bucket))
        for bucket, limit in enumerate(AGE_LIMITS)
    ]
    return Case(*whens, default=Value(len(AGE_LIMITS)), output_field=IntegerField())


def _overdue_weight(probabilities: WinProbabilities, period: Period, as_of: date) -> Decimal:
    """Chance that a deal already overdue is won within `period` (the current one): the
    learned monthly rate, over the months left in the period."""
    rate = probabilities.overdue_monthly
    assert rate is not None  # callers check it first
    months = (period.end.year - as_of.year) * 12 + period.end.month - as_of.month
    return 1 - (1 - rate) ** months


def _collect_open(
    facts: Facts, states, as_of: date, probabilities: WinProbabilities, scored: bool
) -> None:
    """Sum the open pipeline per cell and period; weighted by each deal's stored win score
    when `scored` (deals without one, and otherwise all, by the learned stage rates)."""
    this_month = facts.periods[PeriodKind.MONTH][0].start
    # Overdue since before this month, as the overdue rate is learned at month starts.
    overdue = overdue_flag(this_month)
    for kind, periods in facts.periods.items():
        rows = (
            states.filter(status=StageKind.OPEN)
            .exclude(forecast_category=ForecastCategory.OMITTED)
            .annotate(
                period=_period_case("expected_close_on", periods, overdue_in_first=True),
                territory=TERRITORY,
                bucket=_age_case(as_of),
                overdue=overdue,
            )
            .filter(period__isnull=False)
            .values(
                *("owner_id", "territory", "forecast_category", "stage_id", "bucket"),
                *("period", "overdue"),
            )
            .annotate(total=Sum("amount"), **_scored_sums(scored))
        )
        late = None
        if probabilities.overdue_monthly is not None:
            late = _overdue_weight(probabilities, periods[0], as_of)
        for row in rows:
            sums = facts.cell_sums((row["owner_id"], row["territory"]), (kind, row["period"]))
            amount = row["total"] or Decimal(0)
            category = row["forecast_category"]
            if category in CATEGORIES:
                setattr(sums, category, getattr(sums, category) + amount)
            chance = probabilities.get(row["stage_id"], row["bucket"])
            if row["overdue"] and late is not None:
                chance = late
            if scored:
                sums.weighted_open += row["by_score"] or 0
                amount = row["unscored"] or Decimal(0)
            sums.weighted_open += amount * chance


def _scored_sums(scored: bool) -> dict:
    """Sum(amount x score) of the scored deals and Sum(amount) of the others."""
    if not scored:
        return {}
    score = Subquery(
        DealScore.objects.filter(deal_id=OuterRef("deal_id")).values("probability")[:1]
    )
    return {
        "by_score": Sum(F("amount") * score, output_field=DecimalField()),
        "unscored": Sum("amount", filter=Q(deal__score__isnull=True)),
    }


# Won revenue counts for the owner who closed the deal, whoever owns it now.
CLOSER = F("deal__closed_owner_id")


def _collect_won(facts: Facts, states, as_of: date) -> None:
    won = states.filter(status=StageKind.WON, closed_on__lte=as_of).annotate(territory=TERRITORY)
    for kind, periods in facts.periods.items():
        rows = (
            won.annotate(period=_period_case("closed_on", periods, overdue_in_first=False))
            .filter(period__isnull=False)
            .values("territory", "period", closer=CLOSER)
            .annotate(total=Sum("amount"))
        )
        for row in rows:
            key = (kind, row["period"])
            facts.cell_sums((row["closer"], row["territory"]), key).closed += row["total"] or 0
    this_month = facts.periods[PeriodKind.MONTH][0].start
    months = (
        won.filter(closed_on__lt=this_month)
        .annotate(month=TruncMonth("closed_on"))
        .values("territory", "month", closer=CLOSER)
        .annotate(total=Sum("amount"))
    )
    for row in months:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        facts.history[row["closer"], row["territory"]][month] = row["total"] or Decimal(0)


def facts_collect(
    *, as_of: date, moment: datetime, probabilities: WinProbabilities, scored: bool = False
) -> Facts:
    """The pipeline, closed revenue and revenue history as the deal history had them at
    `moment` (the end of `as_of`), grouped by owner and territory; `scored`: the open
    pipeline weighted by the deal scores."""
    facts = Facts(periods=forecast_periods(as_of))
    states = deal_states_as_of(moment)
    _collect_open(facts, states, as_of, probabilities, scored)
    _collect_won(facts, states, as_of)
    return facts


def scope_totals(org: Org, facts: Facts) -> tuple[dict, dict]:
    """Sums and monthly history per scope, adding each cell into all scopes it counts in."""
    sums: dict[ScopeRef, dict[PeriodKey, Sums]] = defaultdict(lambda: defaultdict(Sums))
    history: dict[ScopeRef, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for cell in set(facts.sums) | set(facts.history):
        for scope in scopes_of_cell(org, cell):
            for key, values in facts.sums.get(cell, {}).items():
                sums[scope][key].add(values)
            for month, amount in facts.history.get(cell, {}).items():
                history[scope][month] += amount
    return sums, history


def calls_in_force(moment: datetime, periods: dict[str, list[Period]]) -> dict:
    """The latest call per scope and period made by `moment`: {(kind, key, pkind, start): call}."""
    starts = [p.start for ps in periods.values() for p in ps]
    calls = ForecastCall.objects.filter(made_at__lte=moment, period_start__in=starts)
    latest = {}
    for call in calls.order_by("made_at", "id"):
        latest[call.scope_kind, call.scope_key, call.period_kind, call.period_start] = call
    return latest


def rollups_with_calls(
    org: Org, facts: Facts, calls: dict
) -> dict[tuple[int | None, PeriodKey], Decimal]:
    """Closed plus commit up the reporting tree, taking a lower manager's call, when made, in
    place of their tree's own numbers. Key (person id, period); None is the company."""
    own: dict[tuple[int | None, PeriodKey], Decimal] = defaultdict(Decimal)
    for (owner, _), by_period in facts.sums.items():
        person = owner if owner in org.people else None
        for key, values in by_period.items():
            own[person, key] += values.closed + values.commit
    children = org.children()
    keys = [(kind, p.start) for kind, ps in facts.periods.items() for p in ps]
    result: dict[tuple[int | None, PeriodKey], Decimal] = {}

    def rollup(person: int | None, key: PeriodKey, seen: frozenset) -> Decimal:
        if (person, key) not in result:
            total = own[person, key]
            for child in children.get(person, []):
                if child in seen:
                    continue
                call = calls.get((ScopeKind.MANAGER, str(child), *key))
                total += call.amount if call else rollup(child, key, seen | {child})
            result[person, key] = total
        return result[person, key]

    for key in keys:
        for person in [None, *org.people]:
            rollup(person, key, frozenset([person]))
    return result


@dataclass(frozen=True)
class SeriesForecast:
    method: str
    months: dict[date, tuple[float, float, float, float, float]]  # point, lo80, hi80, lo95, hi95


def series_forecast(
    history: dict[date, Decimal], periods: dict[str, list[Period]]
) -> SeriesForecast | None:
    """Fit the monthly forecaster on a scope's revenue history; None without any history."""
    if not history:
        return None
    this_month = periods[PeriodKind.MONTH][0].start
    first = min(history)
    values, month = [], first
    while month < this_month:
        values.append(float(history.get(month, 0)))
        month = add_months(month, 1)
    last_end = max(ps[-1].end for ps in periods.values())
    horizon = (last_end.year - this_month.year) * 12 + last_end.month - this_month.month
    fitted = forecast_monthly(values, horizon)
    months = {
        add_months(this_month, h): (
            fitted.point[h],
            fitted.lower80[h],
            fitted.upper80[h],
            fitted.lower95[h],
            fitted.upper95[h],
        )
        for h in range(horizon)
    }
    for month_start, amount in history.items():
        a = float(amount)
        months[month_start] = (a, a, a, a, a)  # known months, for quarters already under way
    return SeriesForecast(fitted.method, months)


def series_forecasts(
    histories: list[dict[date, Decimal]], periods: dict[str, list[Period]], parallel: bool = True
) -> Iterator[SeriesForecast | None]:
    """`series_forecast` of each history, in order, each distinct history fitted once; on
    WORKERS processes when there are many (not inside a daemonic Celery worker process, which
    may not start children)."""
    keys = [tuple(sorted(history.items())) for history in histories]
    distinct = list(dict.fromkeys(keys))  # a manager with one rep has that rep's series
    with threadpool_limits(limits=1):  # BLAS threads per fit only fight each other
        fits = _fits(partial(series_forecast, periods=periods), map(dict, distinct), parallel)
        by_key = dict(zip(distinct, fits, strict=True))
    yield from (by_key[key] for key in keys)


def _fits(fit, histories, parallel: bool) -> Iterator[SeriesForecast | None]:
    histories = list(histories)
    alone = len(histories) < PARALLEL_FROM or WORKERS < 2 or not parallel
    if alone or multiprocessing.current_process().daemon:
        yield from map(fit, histories)
        return
    # Forked children only fit numbers; they never touch the database connection.
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        yield from pool.imap(fit, histories, chunksize=8)


def period_series_values(forecast: SeriesForecast, period: Period) -> tuple[Decimal, ...]:
    """Point and bounds over a period: sums of its months (bounds add up, which is cautious)."""
    month, totals = period.start, [0.0] * 5
    while month < period.end:
        for i, v in enumerate(forecast.months.get(month, (0.0,) * 5)):
            totals[i] += v
        month = add_months(month, 1)
    return tuple(Decimal(str(round(v, 2))) for v in totals)


@dataclass
class LineValues:
    scope: ScopeRef
    period_kind: str
    period_start: date
    values: dict


@dataclass
class ScopeInput:
    """What the database pass found for one scope: all its lines need besides the fit."""

    scope: ScopeRef
    history: dict[date, Decimal]
    sums: dict[PeriodKey, Sums]
    rollups: dict[PeriodKey, Decimal]
    calls: dict[PeriodKey, tuple[Decimal, str]]  # the call in force: amount, comment


@dataclass
class Plan:
    """A run's inputs: every scope's numbers, and the blend's weights per period index."""

    periods: dict[str, list[Period]]
    weights: dict[int, Weight]
    items: list[ScopeInput]


def plan_build(*, org: Org, facts: Facts, calls: dict, track: list[TrackPoint]) -> Plan:
    """Add cells up into every scope; `track` is what past runs forecast, to weigh the blend."""
    sums, history = scope_totals(org, facts)
    rollups = rollups_with_calls(org, facts, calls)
    actuals = {(scope.kind, scope.key): months for scope, months in history.items()}
    weights = blend_weights(track, actuals, facts.periods[PeriodKind.MONTH][0].start)
    keys = [(kind, p.start) for kind, ps in facts.periods.items() for p in ps]
    items = []
    for scope in all_scopes(org):
        totals = {key: sums[scope][key] for key in keys} if scope in sums else {}
        made = {key: calls.get((scope.kind, scope.key, *key)) for key in keys}
        items.append(
            ScopeInput(
                scope=scope,
                history=dict(history.get(scope, {})),
                sums={key: totals.get(key, Sums()) for key in keys},
                rollups={
                    key: _rollup(scope, key, totals.get(key, Sums()), rollups) for key in keys
                },
                calls={key: (c.amount, c.comment) for key, c in made.items() if c is not None},
            )
        )
    return Plan(facts.periods, weights, items)


def scope_lines(
    item: ScopeInput,
    forecast: SeriesForecast | None,
    periods: dict[str, list[Period]],
    weights: dict[int, Weight],
) -> list[LineValues]:
    """One scope's line for every period, from its numbers and its fitted series."""
    lines = []
    for kind, kind_periods in periods.items():
        for index, period in enumerate(kind_periods):
            key = (kind, period.start)
            values = _line_values(item.sums[key], forecast, period, item.calls.get(key))
            values["rollup_with_calls"] = item.rollups[key]
            values["blended"], values["blend_method"] = blend(
                values["weighted_pipeline"],
                values["closed"],
                values["ts_point"],
                weights.get(index),
            )
            lines.append(LineValues(item.scope, kind, period.start, values))
    return lines


def lines_build(
    *,
    plan: Plan,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool = True,
) -> tuple[list[LineValues], dict[str, int]]:
    """The lines of the plan's scopes, and how many series each model fitted; `parallel`
    lets many fits spread over WORKERS processes."""
    models_used: dict[str, int] = defaultdict(int)
    lines = []
    histories = [item.history for item in plan.items]
    forecasts = series_forecasts(histories, plan.periods, parallel=parallel)
    for done, (item, forecast) in enumerate(zip(plan.items, forecasts, strict=True), start=1):
        if forecast:
            models_used[forecast.method] += 1
        lines += scope_lines(item, forecast, plan.periods, plan.weights)
        if progress:
            progress(done, len(plan.items))
    return lines, dict(models_used)


def _rollup(scope: ScopeRef, key: PeriodKey, total: Sums, rollups: dict) -> Decimal:
    if scope.kind == ScopeKind.COMPANY:
        return rollups.get((None, key), Decimal(0))
    if scope.kind in (ScopeKind.MANAGER, ScopeKind.REP):
        return rollups.get((scope.person_id, key), Decimal(0))
    return total.closed + total.commit


def _line_values(total: Sums, forecast, period, call: tuple[Decimal, str] | None) -> dict:
    weighted = (total.closed + total.weighted_open).quantize(CENT)
    series = period_series_values(forecast, period) if forecast else (None,) * 5
    return {
        "currency": settings.DEFAULT_CURRENCY,
        "closed": total.closed,
        "commit": total.commit,
        "best_case": total.best_case,
        "pipeline": total.pipeline,
        "weighted_pipeline": weighted,
        "call": call[0] if call else None,
        "call_comment": call[1] if call else "",
        "method": forecast.method if forecast else "",
        "ts_point": series[0],
        "ts_low80": series[1],
        "ts_high80": series[2],
        "ts_low95": series[3],
        "ts_high95": series[4],
    }
