"""Reads over deals, from querysets the caller has already scoped."""

from datetime import datetime

from django.db import connections
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from pipeline.models import AccountAssignment, Deal, DealChange, StageKind
from territories.models import Territory


def deal_states_as_of(
    moment: datetime, deals: QuerySet[Deal] | None = None
) -> QuerySet[DealChange]:
    """Each deal's history row in force at `moment`: the pipeline as it stood then.

    Deals created after `moment` have no row and are left out.
    """
    if connections[DealChange.objects.db].vendor == "postgresql":
        # One pass over the history index; PostgreSQL runs the subquery below once per deal
        # and again per history row it matches.
        rows = DealChange.objects.filter(changed_at__lte=moment)
        if deals is not None:
            rows = rows.filter(deal__in=deals)
        latest = rows.order_by("deal_id", "-changed_at", "-id").distinct("deal_id")
        return DealChange.objects.filter(id__in=latest.values("id"))
    deals = Deal.objects.all() if deals is None else deals
    last = (
        DealChange.objects.filter(deal=OuterRef("pk"), changed_at__lte=moment)
        .order_by("-changed_at", "-id")
        .values("id")[:1]
    )
    ids = deals.annotate(state_id=Subquery(last)).filter(state_id__isnull=False)
    return DealChange.objects.filter(id__in=ids.values("state_id"))


def deal_totals(deals: QuerySet[Deal]) -> dict:
    """Count of deals, won amount and open amount over an already scoped queryset, one query."""
    return deals.aggregate(
        deals=Count("id"),
        won=Sum("amount", filter=Q(status=StageKind.WON)),
        open=Sum("amount", filter=Q(status=StageKind.OPEN)),
    )


def account_moves(territory: Territory, limit: int = 50) -> QuerySet[AccountAssignment]:
    """The latest account assignments into this territory, and those that ended there."""
    rows = AccountAssignment.objects.filter(territory=territory).select_related("account", "owner")
    return rows.order_by("-start", "-id")[:limit]
