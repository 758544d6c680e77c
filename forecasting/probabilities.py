"""Win probabilities learned from deal history: how often deals seen in a stage went on to win.

A deal counts once for each open stage in which its history shows it, and once for each age
bucket its stay there spans, if it was won or lost by the cut-off. The most specific rate with
enough closed deals behind it wins: stage and age bucket, then stage, then the stage default.
Imported deals whose stage was not recorded before the import form a "stage" of their own
(None), with a learned rate and no default.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from core.periods import add_months
from pipeline.models import DealChange, ForecastCategory, Stage, StageKind
from pipeline.selectors import deal_states_as_of

AGE_LIMITS = (30, 90, 180)  # days: buckets 0-30, 31-90, 91-180, over 180
MIN_CLOSED = 20  # closed deals needed before a learned rate replaces a coarser one
OVERDUE_MONTHS = 6


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


def _stays(rows) -> set[tuple[int, int, int]]:
    """(deal, open stage, age bucket) for every bucket a deal's stay in a stage spans: a deal
    that sat in a stage from day 10 to day 100 of its life was there at 0-30, 31-90 and 91-180
    days old."""
    seen: set[tuple[int, int, int]] = set()
    rows = sorted(rows, key=lambda row: (row[0], row[2]))
    for index, this in enumerate(rows):
        after = rows[index + 1] if index + 1 < len(rows) else None
        deal, stage, kind, when, created = this[0], this[1], this[3], this[2], this[4]
        if kind != StageKind.OPEN or after is None or after[0] != deal:
            continue
        first = age_bucket((when.date() - created).days)
        last = age_bucket((after[2].date() - created).days)
        seen.update((deal, stage, bucket) for bucket in range(first, last + 1))
    return seen


def win_probabilities_learn(*, moment: datetime) -> WinProbabilities:
    """Learn from deals closed (won or lost) by `moment`, as their history recorded them then."""
    closed = deal_states_as_of(moment).filter(status__in=[StageKind.WON, StageKind.LOST])
    outcome = dict(closed.values_list("deal_id", "status"))
    rows = DealChange.objects.filter(
        changed_at__lte=moment, deal_id__in=closed.values("deal_id")
    ).values_list("deal_id", "stage_id", "changed_at", "status", "deal__created_on")
    seen_age = _stays(rows)
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
    for back in range(1, months + 1):
        start = add_months(this_month, -back)
        before = timezone.make_aware(datetime.combine(start, time.min)) - timedelta(microseconds=1)
        overdue = (
            deal_states_as_of(before)
            .filter(status=StageKind.OPEN, expected_close_on__lt=start)
            .exclude(forecast_category=ForecastCategory.OMITTED)
            .values_list("deal_id", "amount")
        )
        end = add_months(start, 1)
        for deal_id, amount in overdue:
            closed = won_in.get(deal_id) or end
            overdue_total += amount or 0
            if start <= closed < end:
                won_total += amount or 0
    if not overdue_total:
        return None
    return (won_total / overdue_total).quantize(Decimal("0.0001"))
