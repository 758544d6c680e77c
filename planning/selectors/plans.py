"""A territory plan compared with today's assignments: which accounts move, with how much."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from metrics.queries.common import MONEY_SUM
from pipeline.accounts import Move
from pipeline.models import Account, Deal, StageKind
from planning.models import PlannedAccount, TerritoryPlan
from territories.models import Territory
from territories.selectors import assignments_on

ZERO = Decimal(0)


@dataclass
class Flow:
    """What one territory gains and loses if the plan takes effect."""

    territory: str
    accounts_in: int = 0
    accounts_out: int = 0
    potential_in: Decimal = ZERO
    potential_out: Decimal = ZERO
    pipeline_in: Decimal = ZERO
    pipeline_out: Decimal = ZERO
    reps: int | None = None  # reps working the territory on the day asked about

    @property
    def unworked(self) -> bool:
        """Accounts come in, but nobody works the territory."""
        return self.reps == 0 and self.accounts_in > 0


def plan_moves(plan: TerritoryPlan) -> list[Move]:
    """Accounts the plan puts in another territory or with another owner than today."""
    fields = ("account_id", "account__name", "account__territory_id", "account__owner_id")
    rows = PlannedAccount.objects.filter(plan=plan).order_by("account__name", "account_id")
    moves = []
    for account, name, territory, owner, to, new_owner in rows.values_list(
        *fields, "territory_id", "owner_id"
    ):
        if (territory, owner) != (to, new_owner):
            moves.append(Move(account, name, territory, to, owner, new_owner, plan.name))
    return moves


def plan_compare(plan: TerritoryPlan, deals: QuerySet[Deal]) -> tuple[list[Move], list[Flow]]:
    """The plan's moves, and per territory what they bring in and take out."""
    moves = plan_moves(plan)
    return moves, move_flows(moves, deals)


def move_flows(moves: list[Move], deals: QuerySet[Deal], on: date | None = None) -> list[Flow]:
    """Per territory, the accounts, potential (annual revenue) and open pipeline that `moves`
    bring in and take out; with `on`, how many reps work each territory that day."""
    ids = [move.account_id for move in moves]
    potential = dict(Account.objects.filter(pk__in=ids).values_list("pk", "annual_revenue"))
    open_deals = deals.filter(status=StageKind.OPEN, account_id__in=ids).order_by()
    pipeline = dict(
        open_deals.values_list("account_id").annotate(Sum("amount", output_field=MONEY_SUM))
    )
    names = dict(Territory.objects.values_list("pk", "name"))
    flows: dict = {}
    for move in moves:
        if move.territory_from == move.territory_to:
            continue  # an owner change inside a territory moves nothing between territories
        amounts = (potential.get(move.account_id) or ZERO, pipeline.get(move.account_id) or ZERO)
        _add(flows, names, move.territory_to, "in", amounts)
        _add(flows, names, move.territory_from, "out", amounts)
    if on is not None:
        working = Counter(assignments_on(on).values_list("territory_id", flat=True))
        for territory, flow in flows.items():
            flow.reps = working.get(territory, 0) if territory is not None else None
    return sorted(flows.values(), key=lambda flow: flow.territory)


def _add(flows: dict, names: dict, territory: int | None, way: str, amounts: tuple) -> None:
    flow = flows.setdefault(territory, Flow(names.get(territory, "(none)")))
    setattr(flow, f"accounts_{way}", getattr(flow, f"accounts_{way}") + 1)
    setattr(flow, f"potential_{way}", getattr(flow, f"potential_{way}") + amounts[0])
    setattr(flow, f"pipeline_{way}", getattr(flow, f"pipeline_{way}") + amounts[1])
