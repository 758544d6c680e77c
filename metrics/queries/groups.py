"""The groups a grouping lists (even those without data), their names, and their headcount."""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from core.periods import Period, bucket_label, bucket_starts
from metrics.queries.common import TIME_GROUPS, TOTAL
from metrics.scope import DEAL_TERRITORY, Scope
from org.models import Team, User
from pipeline.models import Product, SegmentTier
from territories.models import Territory, TerritoryAssignment

# The models whose rows name a group.
Named = type[User] | type[Team] | type[Territory] | type[Product]

NONE_LABEL = "(none)"
NO_SEGMENT_LABEL = "(no segment)"
NO_SOURCE_LABEL = "(no lead source)"


def group_labels(scope: Scope, by: str, period: Period, seen: Iterable) -> dict:
    """Every group of the scope in display order, as {key: name}; `seen` keys are kept too.

    A rep with no deals is listed; so is a month without activity inside the period.
    """
    seen = set(seen) - {TOTAL}
    if by in TIME_GROUPS:
        labels = _bucket_labels(by, period, {key for key in seen if key is not None})
    elif by == "segment":
        labels = _segment_labels(scope, seen)
    elif by == "source":
        return {value: value or NO_SOURCE_LABEL for value in sorted(seen)}
    else:
        labels = _named_labels(scope, by, {key for key in seen if key is not None})
    if None in seen:
        labels[None] = NONE_LABEL
    return labels


def _named_labels(scope: Scope, by: str, seen: set) -> dict:
    listed, model = _listed(scope, by)
    rows: QuerySet = model.objects.filter(Q(id__in=listed) | Q(id__in=seen))
    if model is User:
        people = rows.values_list("id", "first_name", "last_name", "username")
        return {pk: f"{first} {last}".strip() or name for pk, first, last, name in people}
    return dict(rows.order_by("name").values_list("id", "name"))


def _listed(scope: Scope, by: str) -> tuple[QuerySet, Named]:
    """The ids a grouping lists from the scope, and the model that names them."""
    if by == "rep":
        return scope.reps.values("id"), User
    if by == "manager":
        return scope.reps.values("manager_id"), User
    if by == "team":
        return scope.reps.values("team_id"), Team
    if by == "territory":
        if scope.territories is not None:
            return scope.territories.values("id"), Territory
        deals = scope.deals.values(deal_territory=DEAL_TERRITORY)
        return _used(Territory, deals, scope.accounts.values("territory_id")), Territory
    if scope.products is not None:
        return scope.products.values("id"), Product
    columns = (scope.deals.values("product_id"), scope.subscriptions.values("product_id"))
    return _used(Product, *columns), Product


def _used(model: type[Territory] | type[Product], *columns: QuerySet) -> QuerySet:
    """Ids of `model` rows that the scope's one-column querysets point to."""
    used = Q()
    for column in columns:
        used |= Q(id__in=column)
    return model.objects.filter(used).values("id")


def _segment_labels(scope: Scope, seen: set) -> dict:
    present = set(scope.accounts.order_by().values_list("segment", flat=True).distinct()) | seen
    names = {value: label for value, label in SegmentTier.choices}
    ordered = [value for value in names if value in present]
    labels = {value: names[value] for value in ordered}
    if "" in present:
        labels[""] = NO_SEGMENT_LABEL
    return labels


def _bucket_labels(by: str, period: Period, seen: set[date]) -> dict:
    first = period.start if period.start != date.min else min(seen, default=None)
    last = period.end - timedelta(days=1) if period.end != date.max else max(seen, default=None)
    if first is None or last is None:
        return {}
    return {start: bucket_label(start, by) for start in bucket_starts(first, last, by)}


def headcount(scope: Scope, by: str | None, period: Period) -> dict:
    """Reps in the scope (TOTAL) and per manager, team or territory, for per-rep KPIs."""
    total = {TOTAL: scope.reps.count()}
    fields = {"manager": "manager_id", "team": "team_id"}
    rows: Iterable[Mapping[str, Any]]
    if by in fields:
        rows = scope.reps.order_by().values(group=F(fields[by])).annotate(n=Count("id"))
    elif by == "territory":
        rows = (
            TerritoryAssignment.objects.filter(rep__in=scope.reps)
            .filter(_overlapping(period))
            .values(group=F("territory_id"))
            .annotate(n=Count("rep_id", distinct=True))
        )
    else:
        return total
    return {**total, **{row["group"]: row["n"] for row in rows}}


def _overlapping(period: Period) -> Q:
    """Assignments that were in force some time during the period."""
    condition = Q()
    if period.end != date.max:
        condition &= Q(start__lt=period.end)
    if period.start != date.min:
        condition &= Q(end__isnull=True) | Q(end__gt=period.start)
    return condition
