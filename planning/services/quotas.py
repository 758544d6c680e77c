"""Top-down allocation of a total to a team's or territory's reps, weighted by what they sold,
with monthly seasonality and ramps."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.periods import Period, add_months, month_boundaries
from org.models import Team, User
from planning.selectors.quotas import actuals
from quotas.allocation import CENT, HUNDRED, ZERO, ramp_percent, split_total
from quotas.models import PeriodKind, Quota, RampSchedule
from quotas.selectors import member_list, plan_period
from quotas.services import QuotaEntry, quotas_set
from territories.models import Territory


class Method:
    EVEN = "even"
    PRIOR_YEAR = "prior_year"
    TTM = "ttm"
    CUSTOM = "custom"
    CHOICES = [
        (EVEN, "Even split"),
        (PRIOR_YEAR, "Prior-year actual (same period a year earlier)"),
        (TTM, "Trailing twelve months before the period"),
        (CUSTOM, "Custom weights"),
    ]


@dataclass(frozen=True)
class AllocatedRep:
    rep: User
    weight: Decimal
    amount: Decimal
    months: dict[date, Decimal]  # the amount by month (one month for a monthly quota)
    ramps: dict[date, Decimal]  # the ramp % by month

    @property
    def cells(self) -> list[tuple[date, Decimal, Decimal]]:
        return [(month, amount, self.ramps[month]) for month, amount in self.months.items()]


@dataclass(frozen=True)
class Allocation:
    """A total shared among an assignee's reps: the rows add up to `assigned` exactly, which is
    the total plus the over-assignment percent."""

    assignee: Team | Territory
    kind: str
    start: date
    metric: str
    total: Decimal
    assigned: Decimal
    method: str
    seasonality: dict[int, Decimal]
    rows: tuple[AllocatedRep, ...]

    @property
    def gap(self) -> Decimal:
        """The assignee's quota less the sum of its reps' (below zero: over-assigned)."""
        return self.total - sum((row.amount for row in self.rows), ZERO)

    @property
    def months(self) -> list[date]:
        return list(self.rows[0].months) if self.rows else []

    @property
    def method_label(self) -> str:
        return dict(Method.CHOICES)[self.method]


def _weights(
    method: str, reps: list[User], metric: str, period: Period, custom: Mapping[int, Decimal]
) -> dict[int, Decimal]:
    ids = [rep.pk for rep in reps]
    if method == Method.EVEN:
        return dict.fromkeys(ids, Decimal(1))
    if method == Method.CUSTOM:
        missing = [str(rep) for rep in reps if rep.pk not in custom]
        if missing or any(weight < 0 for weight in custom.values()):
            also = f" (missing: {', '.join(missing)})" if missing else ""
            raise ValidationError({"weights": f"Give every rep a weight of 0 or more{also}."})
        return {pk: Decimal(custom[pk]) for pk in ids}
    year_before = add_months(period.start, -12)
    end = add_months(period.end, -12) if method == Method.PRIOR_YEAR else period.start
    span = Period(year_before, end)
    return actuals(ids, metric, span)


Cells = dict[tuple[int, date], Decimal]  # (rep id, month) -> a weight or an amount


def _cells(
    reps: list[User],
    weights: Mapping[int, Decimal],
    months: list[date],
    seasonality: Mapping[int, Decimal],
    steps: Sequence[Decimal],
) -> Cells:
    """Each (rep, month)'s weight: the rep's weight x the month's seasonality x the rep's ramp."""
    return {
        (rep.pk, month): weights[rep.pk] * seasonality[month.month]
        * ramp_percent(rep.hired_on, month, steps) / HUNDRED
        for rep in reps
        for month in months
    }  # fmt: skip


def _split_cells(
    total: Decimal, cells: Cells, rep_ids: list[int], months: list[date]
) -> tuple[dict[int, Decimal], dict[int, dict[date, Decimal]]]:
    """Share the total among reps by their cells' weights, then each rep's part among their
    months: each rep and each month is within a cent of its exact share."""
    weights = {pk: sum((cells[(pk, m)] for m in months), ZERO) for pk in rep_ids}
    amounts = split_total(total, weights)
    by_month = {
        pk: split_total(amounts[pk], {m: cells[(pk, m)] for m in months})
        if weights[pk]
        else dict.fromkeys(months, ZERO)
        for pk in rep_ids
    }
    return amounts, by_month


def quota_allocation_preview(
    *,
    kind: str,
    start: date,
    metric: str,
    total: Decimal,
    method: str,
    team: Team | None = None,
    territory: Territory | None = None,
    weights: Mapping[int, Decimal] | None = None,
    seasonality: Mapping[int, Decimal] | None = None,
    ramp: RampSchedule | None = None,
    over_assign: Decimal = ZERO,
) -> Allocation:
    """Share `total` (plus `over_assign` % of it) among a team's or territory's reps by `method`,
    each rep's part spread over the period's months by `seasonality` (weights per calendar month
    1-12; even when not given) and scaled down by their `ramp` in their first months, so the
    other reps carry what a ramping rep does not. Saves nothing."""
    if (team is None) == (territory is None):
        raise ValidationError("Allocate to a team or to a territory.")
    if method not in dict(Method.CHOICES):
        raise ValidationError({"method": f"No allocation method {method!r}."})
    if total < 0 or total != total.quantize(CENT) or over_assign < 0:
        raise ValidationError({"total": "The total is an amount in cents, not negative."})
    try:
        period = plan_period(kind, start)
    except ValueError as error:
        raise ValidationError({"start": str(error)}) from None
    reps = member_list(period=period, team=team, territory=territory)
    if not reps:
        raise ValidationError(f"{team or territory} has no reps to allocate to.")
    season = dict(seasonality or dict.fromkeys(range(1, 13), Decimal(1)))
    if sorted(season) != list(range(1, 13)) or any(v < 0 for v in season.values()):
        raise ValidationError({"seasonality": "Give a weight of 0 or more to each month 1-12."})
    rep_weights = _weights(method, reps, metric, period, weights or {})
    months = month_boundaries(period)[:-1]
    steps = ramp.percents if ramp else []
    cells = _cells(reps, rep_weights, months, season, steps)
    if not any(cells.values()):
        raise ValidationError({"method": "Every weight is zero: no history to go by for these reps "
                               "and months; choose another method or other weights."})  # fmt: skip
    assigned = (total * (HUNDRED + over_assign) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    amounts, by_month = _split_cells(assigned, cells, [rep.pk for rep in reps], months)
    rows = tuple(
        AllocatedRep(rep, rep_weights[rep.pk], amounts[rep.pk], by_month[rep.pk],
                     {m: ramp_percent(rep.hired_on, m, steps) for m in months})
        for rep in reps
    )  # fmt: skip
    owner = team or territory
    assert owner is not None  # checked above: a team or a territory
    return Allocation(owner, kind, start, metric, total, assigned, method, season, rows)


def quota_allocation_apply(allocation: Allocation) -> list[Quota]:
    """Save an allocation: the assignee's quota is the total; each rep's quota for the period is
    their part, and for a quarter or year also one quota per month. All or nothing."""
    entries = [QuotaEntry(allocation.assignee, allocation.total)]
    entries += [QuotaEntry(row.rep, row.amount) for row in allocation.rows]
    with transaction.atomic():
        saved = quotas_set(kind=allocation.kind, start=allocation.start, metric=allocation.metric,
                           entries=entries)  # fmt: skip
        if allocation.kind != PeriodKind.MONTH:
            for month in allocation.rows[0].months:
                monthly = [QuotaEntry(row.rep, row.months[month]) for row in allocation.rows]
                saved += quotas_set(kind=PeriodKind.MONTH, start=month,
                                    metric=allocation.metric, entries=monthly)  # fmt: skip
    return saved
