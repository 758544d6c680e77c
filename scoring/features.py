"""What a deal looked like on a given day, as numbers a model reads and words a rep reads.

Everything is read once into a `Book` (deal history, activity times, closed deals) and every
feature is computed from what the book knew at the moment asked: the stage, amount and
expected close date from the deal's history rows up to then, activities up to then, and win
rates and median amounts from deals closed before then. Training rows and today's scores come
from the same function, so a feature means the same in both.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from math import log, log1p

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from pipeline.models import Activity, Deal, DealChange, Product, Stage, StageKind

PRIOR_WEIGHT = 10  # closed deals' worth of the overall win rate mixed into a rep's or segment's
IDLE_CAP = 180  # days without activity beyond this read the same
NUMERIC = (
    "days_in_stage",
    "age",
    "amount_ratio",
    "slips",
    "overdue",
    "activities_14",
    "activities_30",
    "idle",
    "rep_win_rate",
    "segment_win_rate",
)
CATEGORICAL = ("stage", "product", "type")


@dataclass(frozen=True)
class DealFacts:
    """What does not change with the day asked about (or only at close)."""

    created_on: date
    product_id: int | None
    type: str
    segment: str
    status: str
    closed_on: date | None


@dataclass
class Book:
    deals: dict[int, DealFacts]
    history: dict[int, list[tuple]]  # (changed_at, stage_id, status, amount, close_on, owner)
    activities: dict[int, list[datetime]]
    closed: list[tuple]  # (closed_on, owner_id, segment, won, amount), by closed_on
    stage_names: dict[int | None, str] = field(default_factory=dict)
    product_names: dict[int | None, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rates:
    """Win rates and median amounts from the deals closed before a day."""

    overall: float
    by_rep: dict[int | None, float]
    by_segment: dict[str, float]
    median_by_rep: dict[int | None, float]
    median: float | None


@dataclass
class Row:
    deal_id: int
    numeric: dict[str, float]
    categories: dict[str, object]
    shown: dict[str, object]  # the plain values the reasons quote


def book_load(deals: QuerySet[Deal], until: datetime) -> Book:
    """The facts, history and activities of `deals`, and every closed deal, as of `until`."""
    ids = deals.values("id")
    facts = {
        pk: DealFacts(created, product, kind, segment or "", status, closed)
        for pk, created, product, kind, segment, status, closed in deals.values_list(
            "id", "created_on", "product_id", "type", "account__segment", "status", "closed_on"
        ).iterator(chunk_size=5000)
    }
    history: dict[int, list[tuple]] = defaultdict(list)
    rows = DealChange.objects.filter(deal_id__in=ids, changed_at__lte=until).order_by(
        "deal_id", "changed_at", "id"
    )
    for pk, *rest in rows.values_list(
        "deal_id", "changed_at", "stage_id", "status", "amount", "expected_close_on", "owner_id"
    ).iterator(chunk_size=5000):
        history[pk].append(tuple(rest))
    activities: dict[int, list[datetime]] = defaultdict(list)
    acts = Activity.objects.filter(deal_id__in=ids, occurred_at__lte=until)
    for pk, at in acts.order_by("deal_id", "occurred_at").values_list("deal_id", "occurred_at"):
        activities[pk].append(at)
    return Book(
        deals=facts,
        history=dict(history),
        activities=dict(activities),
        closed=_closed_deals(until),
        stage_names={None: "a stage not recorded", **dict(Stage.objects.values_list("id", "name"))},
        product_names=dict(Product.objects.values_list("id", "name")),
    )


def _closed_deals(until: datetime) -> list[tuple]:
    rows = Deal.objects.filter(
        status__in=[StageKind.WON, StageKind.LOST], closed_on__lte=timezone.localdate(until)
    ).values_list("closed_on", "closed_owner_id", "account__segment", "status", "amount")
    return sorted(
        (
            (closed, owner, segment or "", status == StageKind.WON, amount)
            for closed, owner, segment, status, amount in rows
        ),
        key=_closed_on,
    )


def _closed_on(row: tuple) -> date:
    return row[0]


def rates_before(book: Book, day: date) -> Rates:
    """Win rates (shrunk towards the overall rate) and median amounts of deals closed before
    `day`."""
    closed = book.closed[: bisect_left(book.closed, day, key=_closed_on)]
    won = sum(row[3] for row in closed)
    overall = won / len(closed) if closed else 0.5
    reps: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    segments: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    amounts: dict[int | None, list[float]] = defaultdict(list)
    for _, owner, segment, is_won, amount in closed:
        reps[owner][0] += is_won
        reps[owner][1] += 1
        segments[segment][0] += is_won
        segments[segment][1] += 1
        if amount:
            amounts[owner].append(float(amount))

    def shrunk(won: int, total: int) -> float:
        return (won + PRIOR_WEIGHT * overall) / (total + PRIOR_WEIGHT)

    every = [value for values in amounts.values() for value in values]
    return Rates(
        overall=overall,
        by_rep={key: shrunk(*pair) for key, pair in reps.items()},
        by_segment={key: shrunk(*pair) for key, pair in segments.items()},
        median_by_rep={key: float(np.median(values)) for key, values in amounts.items()},
        median=float(np.median(every)) if every else None,
    )


def state_at(book: Book, deal_id: int, moment: datetime) -> tuple | None:
    """The deal's history row in force at `moment` and its index (None: not created yet)."""
    rows = book.history.get(deal_id, [])
    index = bisect_right([row[0] for row in rows], moment) - 1
    return (index, rows[index]) if index >= 0 else None


def deal_row(book: Book, deal_id: int, moment: datetime, rates: Rates) -> Row | None:
    """The deal as it stood at `moment`; None if it was not open then."""
    found = state_at(book, deal_id, moment)
    if found is None or found[1][2] != StageKind.OPEN:
        return None
    index, (_, stage, _, amount, close_on, owner) = found
    rows = book.history[deal_id][: index + 1]
    facts = book.deals[deal_id]
    day = _local_day(moment)
    in_stage = max((day - timezone.localdate(_stay_start(rows, stage))).days, 0)
    age = max((day - facts.created_on).days, 0)
    slips = sum(
        1 for before, after in zip(rows, rows[1:], strict=False) if _pushed(before[4], after[4])
    )
    overdue = max((day - close_on).days, 0) if close_on else 0
    times = book.activities.get(deal_id, [])
    upto = bisect_right(times, moment)
    last = times[upto - 1] if upto else None
    idle = min((moment - last).days if last else age, IDLE_CAP)
    recent = _count_since(times, upto, moment, 14), _count_since(times, upto, moment, 30)
    median = rates.median_by_rep.get(owner, rates.median)
    ratio = float(amount) / median if amount and median else None
    rep_rate = rates.by_rep.get(owner, rates.overall)
    segment_rate = rates.by_segment.get(facts.segment, rates.overall)
    return Row(
        deal_id=deal_id,
        numeric={
            "days_in_stage": log1p(in_stage),
            "age": log1p(age),
            "amount_ratio": log(ratio) if ratio else 0.0,
            "slips": float(slips),
            "overdue": log1p(overdue),
            "activities_14": log1p(recent[0]),
            "activities_30": log1p(recent[1]),
            "idle": log1p(idle),
            "rep_win_rate": rep_rate,
            "segment_win_rate": segment_rate,
        },
        categories={"stage": stage, "product": facts.product_id, "type": facts.type},
        shown={
            "stage": book.stage_names.get(stage, "an unknown stage"),
            "days_in_stage": in_stage,
            "age": age,
            "amount_ratio": ratio,
            "slips": slips,
            "overdue": overdue,
            "activities_14": recent[0],
            "activities_30": recent[1],
            "idle": idle,
            "ever_active": last is not None,
            "rep_win_rate": rep_rate,
            "segment": facts.segment,
            "segment_win_rate": segment_rate,
            "product": book.product_names.get(facts.product_id, "no product"),
            "type": facts.type,
        },
    )


@lru_cache(maxsize=64)
def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _stay_start(rows: list[tuple], stage: int | None) -> datetime:
    """When the deal entered the stage it is in at the last row."""
    start = rows[-1][0]
    for row in reversed(rows):
        if row[1] != stage:
            break
        start = row[0]
    return start


def _pushed(before: date | None, after: date | None) -> bool:
    return before is not None and after is not None and after > before


def _count_since(times: list[datetime], upto: int, moment: datetime, days: int) -> int:
    since = moment - timedelta(days=days)
    return upto - bisect_right(times, since, 0, upto)
