"""Pipeline movement between two moments (a waterfall), from deal history.

Each deal's state at the end moment comes from `deal_states_as_of`; its state at the start
moment is looked up beside it, so one grouped query classifies every deal:

    start + new + reopened + pulled_in + expanded - contracted - pushed_out - won - lost = end
"""

from datetime import datetime

from django.db.models import (
    Case,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.periods import Period
from metrics.queries.common import MONEY_SUM, Rows, grouped
from pipeline.due import due_in_q
from pipeline.models import Deal, DealChange, StageKind
from pipeline.selectors import deal_states_as_of

# Grouped by the deal's state at the end moment (its owner then) or by the deal itself.
PATHS = {
    "rep": "owner_id",
    "manager": "owner__manager_id",
    "team": "owner__team_id",
    "territory": "deal__territory_id",
    "product": "deal__product_id",
    "segment": "deal__account__segment",
    "source": "deal__lead_source",
}
MOVES = ("new", "reopened", "pulled_in", "expanded", "contracted", "pushed_out", "won", "lost")


def movement_rows(
    deals: QuerySet[Deal], start: datetime, end: datetime, window: Period | None, by: str | None
) -> Rows:
    """Per group: the pipeline at `start`, at `end`, and each move between them (amounts).

    With a `window`, the pipeline is the open deals due in it on each moment's day, so a deal
    whose expected close date leaves or enters the window is pushed out or pulled in (and one
    gone overdue rolls into the window once the window holds the day).
    """
    states = (
        deal_states_as_of(end, deals)
        .annotate(**_start_state(start, window))
        .annotate(
            in_end=_flag(Q(status=StageKind.OPEN) & _window("expected_close_on", window, end)),
            end_amount=Coalesce("amount", Value(0), output_field=MONEY_SUM),
        )
    )
    return grouped(states, None if by is None else F(PATHS[by]), _moves())


def _start_state(start: datetime, window: Period | None) -> dict:
    """The deal's kind, expected close and amount in its history row in force at `start`."""
    latest = DealChange.objects.filter(deal_id=OuterRef("deal_id"), changed_at__lte=start)
    latest = latest.order_by("-changed_at", "-id")
    amount = Subquery(latest.values("amount")[:1], output_field=MONEY_SUM)
    return {
        "start_kind": Subquery(latest.values("status")[:1]),
        "start_close": Subquery(latest.values("expected_close_on")[:1]),
        "start_amount": Coalesce(amount, Value(0), output_field=MONEY_SUM),
        "in_start": _flag(Q(start_kind=StageKind.OPEN) & _window("start_close", window, start)),
    }


def _window(field: str, window: Period | None, moment: datetime) -> Q:
    return Q() if window is None else due_in_q(window, timezone.localdate(moment), field)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _sum(value: str | F | Expression, condition: Q) -> Sum:
    return Sum(value, filter=condition, output_field=MONEY_SUM)


def _moves() -> dict:
    """One conditional sum per move; amounts are the start state's or the end state's."""
    in_start, in_end, out_start, out_end = Q(in_start=1), Q(in_end=1), Q(in_start=0), Q(in_end=0)
    entered, left, stayed = out_start & in_end, in_start & out_end, in_start & in_end
    start, end = F("start_amount"), F("end_amount")
    return {
        "start": _sum(start, in_start),
        "end": _sum(end, in_end),
        "new": _sum(end, entered & Q(start_kind__isnull=True)),
        "reopened": _sum(end, entered & Q(start_kind__in=[StageKind.WON, StageKind.LOST])),
        "pulled_in": _sum(end, entered & Q(start_kind=StageKind.OPEN)),
        "expanded": _sum(end - start, stayed & Q(end_amount__gt=start)),
        "contracted": _sum(start - end, stayed & Q(end_amount__lt=start)),
        "pushed_out": _sum(start, left & Q(status=StageKind.OPEN)),
        "won": _sum(start, in_start & Q(status=StageKind.WON)),
        "lost": _sum(start, in_start & Q(status=StageKind.LOST)),
    }
