"""Win probabilities learned from deal history: how often deals seen in a stage went on to win.

A deal counts once for each open stage in which its history shows it, and once for each age
bucket its stay there spans, if it was won or lost by the cut-off. The most specific rate with
enough closed deals behind it wins: stage and age bucket, then stage, then the stage default.
Imported deals whose stage was not recorded before the import form a "stage" of their own
(None), with a learned rate and no default.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Case, F, Q, Value, When, Window
from django.db.models.functions import Coalesce, Lead
from django.utils import timezone

from core.periods import add_months
from pipeline.crediting import CLOSED
from pipeline.models import DealChange, ForecastCategory, Stage, StageKind
from pipeline.selectors import deal_states_as_of

AGE_LIMITS = (30, 90, 180)  # days: buckets 0-30, 31-90, 91-180, over 180
MIN_CLOSED = 20  # closed deals needed before a learned rate replaces a coarser one
OVERDUE_MONTHS = 6
_FAR = datetime(9999, 1, 1, tzinfo=UTC)  # "not replaced yet"


def age_bucket(age_days: int) -> int:
    return sum(age_days > limit for limit in AGE_LIMITS)


@dataclass(frozen=True)
class WinProbabilities:
    by_stage_age: dict[tuple[int | None, int], Decimal] = field(default_factory=dict)
    by_stage: dict[int | None, Decimal] = field(default_factory=dict)
    defaults: dict[int | None, Decimal] = field(default_factory=dict)
    # Of the open deals already past their expected close date at a month's start, the share
    # (by amount) won within that month; None without such deals in the months looked at.
    overdue_monthly: Decimal | None = None

    def get(self, stage_id: int | None, bucket: int) -> Decimal:
        """The rate for a stage (None: open in a stage nobody recorded) and age bucket."""
        if (stage_id, bucket) in self.by_stage_age:
            return self.by_stage_age[stage_id, bucket]
        return self.by_stage.get(stage_id, self.defaults.get(stage_id, Decimal(0)))

    def source(self, stage_id: int | None, bucket: int) -> str:
        if (stage_id, bucket) in self.by_stage_age:
            return "stage and age"
        return "stage" if stage_id in self.by_stage else "stage default"


def _rates(won: Counter, seen: Counter) -> dict:
    return {
        key: (Decimal(won[key]) / Decimal(total)).quantize(Decimal("0.0001"))
        for key, total in seen.items()
        if total >= MIN_CLOSED
    }


def _stays(rows: list[tuple]) -> set[tuple[int, int, int]]:
    """(deal, open stage, age bucket) for every bucket a deal's stay in a stage spans: a deal
    that sat in a stage from day 10 to day 100 of its life was there at 0-30, 31-90 and 91-180
    days old. `rows`: (deal, stage, changed at, status, created on), in history order."""
    seen: set[tuple[int, int, int]] = set()
    for this, after in zip(rows, [*rows[1:], None], strict=False):  # None after the last
        deal, stage, when, kind, created = this
        if kind != StageKind.OPEN or after is None or after[0] != deal:
            continue
        first = age_bucket((when.date() - created).days)
        last = age_bucket((after[2].date() - created).days)
        seen.update((deal, stage, bucket) for bucket in range(first, last + 1))
    return seen


def win_probabilities_learn(*, moment: datetime) -> WinProbabilities:
    """Learn from deals closed (won or lost) by `moment`, as their history recorded them then."""
    rows = list(
        DealChange.objects.filter(changed_at__lte=moment)
        .order_by("deal_id", "changed_at", "id")
        .values_list("deal_id", "stage_id", "changed_at", "status", "deal__created_on")
    )
    # Each deal's last row by `moment` is its state then: how it ended, if it has.
    outcome = {row[0]: row[3] for row in rows}
    closed = {deal for deal, status in outcome.items() if status in CLOSED}
    seen_age = _stays([row for row in rows if row[0] in closed])
    seen_stage = {(deal, stage) for deal, stage, _ in seen_age}
    won = StageKind.WON
    return WinProbabilities(
        by_stage_age=_rates(
            Counter((s, b) for d, s, b in seen_age if outcome[d] == won),
            Counter((s, b) for _, s, b in seen_age),
        ),
        by_stage=_rates(
            Counter(s for d, s in seen_stage if outcome[d] == won),
            Counter(s for _, s in seen_stage),
        ),
        defaults={pk: Decimal(p) / 100 for pk, p in Stage.objects.values_list("id", "probability")},
        overdue_monthly=overdue_win_rate(moment=moment),
    )


def overdue_win_rate(*, moment: datetime, months: int = OVERDUE_MONTHS) -> Decimal | None:
    """How much of the overdue open pipeline at each of the last `months` month starts before
    `moment` was won within that month, as the history stood at `moment`."""
    this_month = timezone.localtime(moment).date().replace(day=1)
    first = add_months(this_month, -months)
    # Which deals were won in which month, as of `moment`: read once, not once per month.
    won_in = dict(
        deal_states_as_of(moment)
        .filter(status=StageKind.WON, closed_on__gte=first, closed_on__lt=this_month)
        .values_list("deal_id", "closed_on")
    )
    overdue_total = won_total = Decimal(0)
    for start, deal_id, amount in _overdue_at_month_starts(first, this_month):
        closed = won_in.get(deal_id) or add_months(start, 1)
        overdue_total += amount or 0
        if start <= closed < add_months(start, 1):
            won_total += amount or 0
    if not overdue_total:
        return None
    return (won_total / overdue_total).quantize(Decimal("0.0001"))


def _overdue_at_month_starts(first: date, end: date) -> Iterator[tuple[date, int, Decimal | None]]:
    """(month start, deal, amount) for each deal open and overdue, not omitted, just before
    each month start from `first` to before `end`, as the history stood then. One query: each
    history row with the moment the next one replaced it, kept when it is such a state at one
    of those moments."""
    starts = []
    while first < end:
        starts.append(first)
        first = add_months(first, 1)
    if not starts:
        return
    before = {start: _just_before(start) for start in starts}
    overdue = Q(status=StageKind.OPEN, expected_close_on__lt=starts[-1]) & ~Q(
        forecast_category=ForecastCategory.OMITTED
    )
    until = Window(
        Lead("changed_at"), partition_by=[F("deal_id")], order_by=[F("changed_at"), F("id")]
    )
    rows = (
        DealChange.objects.filter(changed_at__lte=before[starts[-1]])
        .annotate(until=until)
        # Over a window, so that the row filter applies after it: a null for rows that are
        # not overdue, the end of the row's time in force (or the last moment) for the others.
        .annotate(
            overdue_until=Case(When(overdue, then=Coalesce("until", Value(_FAR))), default=None)
        )
        .filter(overdue_until__gt=before[starts[0]])
        .values_list("deal_id", "changed_at", "overdue_until", "expected_close_on", "amount")
    )
    for deal_id, since, until_, expected, amount in rows:
        for start in starts:
            if since <= before[start] < until_ and expected is not None and expected < start:
                yield start, deal_id, amount


def _just_before(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min)) - timedelta(microseconds=1)
