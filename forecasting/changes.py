"""What changed in a scope's period since a moment (the last call, or the last run): deals
pushed out of the period, pulled into it, new, and lost, read from the deal history."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from core.periods import Period
from pipeline.due import due_in_q
from pipeline.models import Deal, StageKind
from pipeline.selectors import deal_states_as_of


@dataclass(frozen=True)
class Moved:
    deal_id: int
    name: str
    owner: str
    amount: Decimal | None
    was: date | None  # expected close date then
    now: date | None  # expected close date (or close date) now
    status: str


@dataclass(frozen=True)
class Changes:
    since: datetime
    pushed: list[Moved]
    pulled: list[Moved]
    new: list[Moved]
    lost: list[Moved]


def _due_in(expected: date | None, period: Period, day: date) -> bool:
    """Was an open deal expected on `expected` due in `period`, as of `day` (pipeline.due)?"""
    if expected is None:
        return False
    return period.start <= max(expected, day) < period.end


def _counted(state: Mapping, period: Period, day: date) -> bool:
    """Did a deal's state count in `period` on `day`: open and due in it, or won in it?"""
    if state["status"] == StageKind.WON:
        return period.start <= state["closed_on"] < period.end
    return state["status"] == StageKind.OPEN and _due_in(state["expected_close_on"], period, day)


def deal_changes(deals: QuerySet[Deal], period: Period, since: datetime, today: date) -> Changes:
    """Deals of the (already scoped) queryset whose place in `period` changed after `since`."""
    day = timezone.localtime(since).date()
    states = deal_states_as_of(since, deals)
    then = {
        row["deal_id"]: row
        for row in states.values("deal_id", "status", "expected_close_on", "closed_on")
    }
    was_in = {pk for pk, row in then.items() if _counted(row, period, day)}
    in_now = Q(status=StageKind.OPEN) & due_in_q(period, today)
    in_now |= Q(status=StageKind.WON, closed_on__gte=period.start, closed_on__lt=period.end)
    rows = deals.filter(Q(pk__in=was_in) | in_now).select_related("owner")
    rows = rows.annotate(now_in=_flag(in_now)).order_by("-amount", "pk")
    pushed: list[Moved] = []
    pulled: list[Moved] = []
    new: list[Moved] = []
    lost: list[Moved] = []
    for deal in rows:
        before = then.get(deal.pk)
        moved = _moved(deal, before)
        if deal.pk in was_in and not deal.now_in:
            (lost if deal.status == StageKind.LOST else pushed).append(moved)
        elif before is None and deal.now_in:
            new.append(moved)
        elif deal.pk not in was_in and deal.now_in:
            pulled.append(moved)
    return Changes(since, pushed, pulled, new, lost)


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _moved(deal: Deal, before: Mapping | None) -> Moved:
    now = deal.closed_on if deal.status != StageKind.OPEN else deal.expected_close_on
    return Moved(
        deal_id=deal.pk,
        name=deal.name,
        owner=str(deal.owner) if deal.owner else "",
        amount=deal.amount,
        was=before["expected_close_on"] if before else None,
        now=now,
        status=deal.status,
    )
