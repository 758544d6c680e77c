"""Moves between stages, from deal history: how often a deal leaving a stage moves on, and how
long it stayed.

A move is a history row whose stage differs from the deal's row before it, both recorded (a
deal's first stage is where it entered, not a move). It moves on when the new stage is won, or
open and later in the stage order; a lost deal does not. A move is dated, and credited to the
deal's owner, by its own row. History rows are read in one streamed query, deal by deal.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from core.periods import Period, calendar_quarter_start
from metrics.queries.common import TIME_GROUPS, TOTAL, Rows
from pipeline.models import Deal, DealChange, Stage, StageKind

STAGE_GROUPS = (None, "rep", *TIME_GROUPS)


class Move(NamedTuple):
    source: int  # the stage left
    on: bool  # toward the win
    owner: int | None
    day: date
    days: Decimal  # in the stage left


SECONDS_A_DAY = Decimal(86400)


def stage_moves(deals: QuerySet[Deal], period: Period) -> list[Move]:
    """Each move between stages dated in `period`, in one query."""
    rows = DealChange.objects.filter(deal__in=deals).order_by("deal_id", "changed_at", "id")
    columns = ("deal_id", "changed_at", "stage_id", "stage__order", "stage__kind", "owner_id")
    moves: list[Move] = []
    deal, stage, entered = None, (None, 0, ""), timezone.now()
    for deal_id, at, *now, owner_id in rows.values_list(*columns).iterator(chunk_size=2000):
        current = (now[0], now[1], now[2])
        if deal_id != deal:
            deal, stage, entered = deal_id, current, at
            continue
        if current[0] == stage[0]:
            continue
        day = timezone.localdate(at)
        if stage[0] is not None and current[0] is not None and period.start <= day < period.end:
            on = moved_on(stage[1:], current[1:])
            moves.append(Move(stage[0], on, owner_id, day, _days(at - entered)))
        stage, entered = current, at
    return moves


def _days(elapsed) -> Decimal:
    return Decimal(int(elapsed.total_seconds())) / SECONDS_A_DAY


def moved_on(source: tuple[int, str], target: tuple[int, str]) -> bool:
    """A move toward the win, from and to (stage order, kind): to a won stage, or to a later
    open one."""
    if target[1] == StageKind.WON:
        return True
    return target[1] == StageKind.OPEN and target[0] > source[0]


def stage_rows(deals: QuerySet[Deal], period: Period, by: str | None) -> Rows | None:
    """Moves out of a stage, moves on and days spent, per group; None if not groupable."""
    if by not in STAGE_GROUPS:
        return None
    rows: Rows = defaultdict(lambda: {"stage_moves": 0, "stage_moves_on": 0, "stage_days": 0})
    for move in stage_moves(deals, period):
        row = rows[_key(by, move.owner, move.day)]
        row["stage_moves"] += 1
        row["stage_moves_on"] += move.on
        row["stage_days"] += move.days
    return dict(rows)


def _key(by: str | None, owner: int | None, day: date):
    if by is None:
        return TOTAL
    if by == "rep":
        return owner
    return day.replace(day=1) if by == "month" else calendar_quarter_start(day)


def stage_flow(deals: QuerySet[Deal], period: Period) -> dict[Stage, dict]:
    """Per stage left in the period: moves out, moves on, conversion and mean days in it."""
    stages = Stage.objects.in_bulk()
    flow: dict[int, dict] = defaultdict(lambda: {"moves": 0, "moves_on": 0, "days": Decimal(0)})
    for move in stage_moves(deals, period):
        flow[move.source]["moves"] += 1
        flow[move.source]["moves_on"] += move.on
        flow[move.source]["days"] += move.days
    result = {}
    for pk in sorted(flow, key=lambda pk: stages[pk].order):
        row = flow[pk]
        row["conversion"] = Decimal(row["moves_on"]) / row["moves"]
        row["days_mean"] = row["days"] / row["moves"]
        result[stages[pk]] = row
    return result
