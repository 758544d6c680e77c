"""Account segmentation: size tiers, value tiers, ABC analysis and the ideal-customer score.

Size, won revenue and the criteria met are annotations (one grouped query for all accounts),
MRR one more grouped query; Python adds up the running share for ABC:
- size tier (employees or annual revenue, whichever reaches the higher tier), in the
  `SegmentTier` values the dashboards' segment filter uses;
- won revenue (all won deals) and CLV (current MRR x gross margin / monthly churn rate over the
  last 12 months, as the `clv` KPI); value = won revenue + CLV, in value tiers;
- ABC by share of won revenue, accounts sorted from the largest: A are the accounts that make
  the first 80 % (the one crossing 80 % included), B the next 15 % (up to 95 %), C the rest,
  accounts without won revenue included;
- the ideal-customer score: the weights of the criteria an account meets (summed in the
  database), in percent of all weights (0-100), from the criteria admins edit.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    DecimalField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from core.periods import Period
from metrics import formulas as f
from metrics.definitions import gross_margin
from metrics.queries.common import MONEY_SUM
from metrics.queries.subscriptions import active_on
from metrics.scope import Scope
from metrics.service import kpi_panel
from pipeline.models import Account, SegmentTier, StageKind, Subscription
from planning.models import IcpAttribute, IcpCriterion
from planning.selectors.rules import any_of

# Tier: (at least this many employees, or at least this annual revenue). First reached wins.
SIZE_TIERS = [
    (SegmentTier.STRATEGIC, 10_000, Decimal("5e9")),
    (SegmentTier.ENTERPRISE, 1_000, Decimal("1e9")),
    (SegmentTier.MID_MARKET, 100, Decimal("5e7")),
    (SegmentTier.SMB, 0, Decimal(0)),
]
VALUE_TIERS = [("high", Decimal(100_000)), ("medium", Decimal(10_000)), ("low", Decimal("0.01"))]
ABC_CUTS = [("A", Decimal("0.80")), ("B", Decimal("0.95"))]
MONEY = DecimalField(max_digits=30, decimal_places=2)


def size_tier() -> Case:
    """The account's size tier; '' when neither employees nor revenue is known."""
    whens = [
        When(Q(employees__gte=people) | Q(annual_revenue__gte=revenue), then=Value(tier.value))
        for tier, people, revenue in SIZE_TIERS
    ]
    return Case(*whens, default=Value(""))


def _won_revenue() -> Coalesce:
    won = Sum("deals__amount", filter=Q(deals__status=StageKind.WON), output_field=MONEY_SUM)
    return Coalesce(won, Value(Decimal(0)), output_field=MONEY)


def mrr_by_account(accounts: QuerySet[Account], on: date) -> dict[int, Decimal]:
    """Each account's MRR on `on`, in one grouped query."""
    rows = Subscription.objects.filter(active_on(on), account__in=accounts.values("pk"))
    return dict(rows.order_by().values_list("account_id").annotate(Sum("mrr")))


def clv_factor(scope: Scope, on: date) -> Decimal | None:
    """CLV per unit of MRR: gross margin / monthly churn over the 12 months to `on`."""
    year = Period(on - timedelta(days=365), on + timedelta(days=1))
    churn = kpi_panel(scope, year, today=on).total["monthly_churn_rate"]
    return f.clv(Decimal(1), gross_margin(), churn)


def icp_points(criteria: list[IcpCriterion]) -> Case | CombinedExpression | Value:
    """The weights an account meets, summed in the database (needs the `won` annotation)."""
    parts = [Case(When(_meets(c), then=Value(c.weight)), default=Value(0)) for c in criteria]
    if not parts:
        return Value(0)
    points: Case | CombinedExpression = parts[0]
    for part in parts[1:]:
        points = points + part
    return points


def _meets(criterion: IcpCriterion) -> Q:
    if criterion.attribute in (IcpAttribute.INDUSTRY, IcpAttribute.COUNTRY):
        return any_of(criterion.attribute, criterion.values) or Q(pk__isnull=True)
    field = "won" if criterion.attribute == IcpAttribute.WON_REVENUE else criterion.attribute
    condition = Q(**{f"{field}__isnull": False})
    if criterion.minimum is not None:
        condition &= Q(**{f"{field}__gte": criterion.minimum})
    if criterion.maximum is not None:
        condition &= Q(**{f"{field}__lte": criterion.maximum})
    return condition


def segment_accounts(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """The accounts with their size tier, won revenue and ideal-customer points, largest won
    revenue first (one grouped query)."""
    criteria = list(IcpCriterion.objects.all())
    return (
        accounts.annotate(size=size_tier(), won=_won_revenue())
        .annotate(points=icp_points(criteria))
        .order_by("-won", "pk")
    )


@dataclass(frozen=True)
class Segmented:
    account: Account
    clv: Decimal | None
    value: Decimal
    value_tier: str
    abc: str
    score: Decimal | None  # ideal-customer score, 0-100; None without criteria


def segment_rows(
    annotated: QuerySet[Account], *, mrr: dict[int, Decimal], clv_per_mrr: Decimal | None
) -> list[Segmented]:
    """Every account of `segment_accounts` with its CLV, value tier, ABC class (from the
    running share of won revenue, in the database's order) and ideal-customer score."""
    rows: list[Any] = list(annotated)  # accounts with the `won` annotation
    total = sum((row.won for row in rows), Decimal(0))
    weights = sum(IcpCriterion.objects.values_list("weight", flat=True))
    result, before = [], Decimal(0)
    for row in rows:
        clv = None if clv_per_mrr is None else mrr.get(row.pk, Decimal(0)) * clv_per_mrr
        result.append(_classified(row, clv, before / total if total else None, weights))
        before += row.won
    return result


def _classified(row, clv: Decimal | None, share_before: Decimal | None, weights: int) -> Segmented:
    value = row.won + (clv or 0)
    tier = next((name for name, floor in VALUE_TIERS if value >= floor), "none")
    abc = "C"
    if row.won > 0 and share_before is not None:
        abc = next((name for name, cut in ABC_CUTS if share_before < cut), "C")
    score = Decimal(row.points) * 100 / weights if weights else None
    return Segmented(row, clv, value, tier, abc, score)
