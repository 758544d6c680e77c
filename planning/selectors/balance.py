"""The territory balance report and a greedy suggestion of account moves that evens it out.

Potential is the sum of the accounts' annual revenue. The imbalance index is the coefficient of
variation (population standard deviation / mean) of potential per rep: 0 is perfectly even.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Coalesce

from core.formatting import money
from core.periods import Period
from metrics.queries.common import MONEY_SUM, in_period
from metrics.queries.quotas import quota_rows
from metrics.scope import DEAL_TERRITORY
from org.models import Role, User
from pipeline.accounts import Move
from pipeline.models import Account, Deal, StageKind
from quotas.models import Quota
from territories.models import Territory
from territories.selectors import assignments_on

ZERO = Decimal(0)


@dataclass
class Load:
    """One rep's or territory's row of the report."""

    key: int | None
    name: str
    accounts: int = 0
    potential: Decimal = ZERO
    pipeline: Decimal = ZERO
    won: Decimal = ZERO
    quota: Decimal | None = None
    capacity: int = 0
    closed: bool = False
    open_territories: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Balance:
    period: Period
    on: date
    reps: list[Load]
    territories: list[Load]
    index: Decimal | None


def imbalance_index(potentials: list[Decimal]) -> Decimal | None:
    """Coefficient of variation; None without reps or without any potential."""
    if not potentials:
        return None
    mean = sum(potentials, ZERO) / len(potentials)
    if mean == 0:
        return None
    variance = sum(((p - mean) ** 2 for p in potentials), ZERO) / len(potentials)
    return variance.sqrt() / mean


def balance_report(
    accounts: QuerySet[Account], deals: QuerySet[Deal], quotas: QuerySet[Quota], *, period: Period,
    on: date,
) -> Balance:  # fmt: skip
    """Per rep and per territory: accounts, potential, open pipeline, won revenue in `period`,
    bookings quota in `period` and capacity (accounts the reps working it on `on` can take)."""
    reps = _rep_loads(accounts, deals, quotas, period, on)
    territories = _territory_loads(accounts, deals, quotas, period, on)
    index = imbalance_index([rep.potential for rep in reps])
    return Balance(period, on, reps, territories, index)


def _sums(accounts: QuerySet, deals: QuerySet, period: Period, keys: dict) -> dict[str, dict]:
    """{measure: {group key: value}} for accounts, potential, pipeline and won revenue."""
    won = deals.filter(status=StageKind.WON).filter(in_period("closed_on", period))
    queries = {
        "accounts": (accounts, keys["account"], Count("id")),
        "potential": (accounts, keys["account"], Sum("annual_revenue", output_field=MONEY_SUM)),
        "pipeline": (
            deals.filter(status=StageKind.OPEN),
            keys["open"],
            Sum("amount", output_field=MONEY_SUM),
        ),
        "won": (won, keys["won"], Sum("amount", output_field=MONEY_SUM)),
    }
    result = {}
    for name, (rows, key, aggregate) in queries.items():
        grouped = rows.order_by().values(group=key).annotate(value=aggregate)
        result[name] = {row["group"]: row["value"] or 0 for row in grouped}
    return result


def _fill(load: Load, sums: dict[str, dict], quota: dict) -> Load:
    for name, values in sums.items():
        setattr(load, name, values.get(load.key, 0 if name == "accounts" else ZERO))
    load.quota = quota.get(load.key, {}).get("bookings")
    return load


def _rep_loads(accounts, deals, quotas, period: Period, on: date) -> list[Load]:
    keys = {"account": F("owner_id"), "open": F("owner_id"), "won": _credited_owner()}
    sums = _sums(accounts, deals, period, keys)
    working = assignments_on(on).select_related("territory")
    people = User.objects.filter(role=Role.REP).filter(
        pk__in={*sums["accounts"], *working.values_list("rep_id", flat=True)}
    )
    loads = {rep.pk: Load(rep.pk, str(rep)) for rep in people}
    for assignment in working.order_by("territory__name"):
        load = loads.get(assignment.rep_id)
        if load is not None and not assignment.territory.is_closed(on):
            load.capacity += assignment.capacity
            load.open_territories.append(assignment.territory_id)
    quota = quota_rows(quotas, period, "rep") or {}
    return sorted((_fill(load, sums, quota) for load in loads.values()), key=lambda x: x.name)


def _credited_owner():
    return Coalesce("closed_owner_id", "owner_id")


def _territory_loads(accounts, deals, quotas, period: Period, on: date) -> list[Load]:
    keys = {"account": F("territory_id"), "open": DEAL_TERRITORY, "won": F("closed_territory_id")}
    sums = _sums(accounts, deals, period, keys)
    capacity = dict(
        assignments_on(on).order_by().values_list("territory_id").annotate(Sum("capacity"))
    )
    quota = quota_rows(quotas, period, "territory") or {}
    loads = []
    for territory in Territory.objects.order_by("name"):
        load = Load(territory.pk, territory.name, capacity=capacity.get(territory.pk, 0))
        load.closed = territory.is_closed(on)
        loads.append(_fill(load, sums, quota))
    return [load for load in loads if load.accounts or load.capacity or load.won or load.pipeline]


def balance_suggestion(
    accounts: QuerySet[Account], reps: list[Load], *, max_moves: int = 20
) -> list[Move]:
    """Greedy moves of single accounts from the heaviest reps to lighter ones, while each move
    lowers the imbalance index. Receivers must work an open territory and have room (capacity);
    a moved account goes to one of the receiver's open territories, never a closed one."""
    load = {rep.key: rep.potential for rep in reps}
    count = {rep.key: rep.accounts for rep in reps}
    room = {rep.key: rep for rep in reps if rep.open_territories}
    held: dict[int, list[tuple]] = {}
    rows = accounts.filter(owner_id__in=load, annual_revenue__gt=0).order_by("pk")
    for row in rows.values_list("pk", "name", "owner_id", "territory_id", "annual_revenue"):
        held.setdefault(row[2], []).append(row)
    moves: list[Move] = []
    for _ in range(max_moves):
        best = _best_move(load, count, room, held)
        if best is None:
            break
        account, receiver = best
        moves.append(_move(account, room[receiver]))
        held[account[2]].remove(account)
        load[account[2]] -= account[4]
        load[receiver] += account[4]
        count[account[2]] -= 1
        count[receiver] += 1  # a moved account stays put for the rest of the suggestion
    return moves


def _best_move(load: dict, count: dict, room: dict, held: dict) -> tuple | None:
    """The single move that lowers the sum of squared loads most (the mean stays the same, so
    that lowers the index most), from the heaviest donor that has one."""
    for donor in sorted(load, key=lambda key: (-load[key], key)):
        best, best_gain = None, ZERO
        for receiver, rep in room.items():
            gap = load[donor] - load[receiver]
            if receiver == donor or gap <= 0 or count[receiver] >= rep.capacity:
                continue
            for account in held.get(donor, []):
                value = account[4]
                gain = 2 * value * (gap - value)  # drop in ld^2 + lr^2 when moving `value`
                if gain > best_gain:
                    best, best_gain = (account, receiver), gain
        if best is not None:
            return best
    return None


def _move(account: tuple, receiver: Load) -> Move:
    pk, name, owner, territory, value = account
    target = territory if territory in receiver.open_territories else receiver.open_territories[0]
    reason = f"potential {money(value)} to {receiver.name}"
    return Move(pk, name, territory, target, owner, receiver.key, reason)


def index_after(accounts: QuerySet[Account], reps: list[Load], moves: list[Move]) -> Decimal | None:
    """The imbalance index once `moves` are applied."""
    load = {rep.key: rep.potential for rep in reps}
    values = accounts.in_bulk([move.account_id for move in moves])
    for move in moves:
        value = values[move.account_id].annual_revenue or ZERO
        load[move.owner_from] -= value
        load[move.owner_to] += value
    return imbalance_index(list(load.values()))
