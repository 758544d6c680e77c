"""The activity family: leads, calls, appointments, quotes sent and follow-ups."""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from core.periods import Period
from metrics.queries.common import Paths, Rows, group_key, groupable, grouped, in_period_moments
from pipeline.models import Activity, ActivityKind

# An activity's territory is its deal's, else its account's.
PATHS: Paths = {
    "rep": "rep_id",
    "manager": "rep__manager_id",
    "team": "rep__team_id",
    "territory": Coalesce("deal__territory_id", "account__territory_id"),
    "product": "deal__product_id",
    "segment": Coalesce("account__segment", "deal__account__segment"),
}
KINDS = {
    "leads": ActivityKind.LEAD,
    "calls": ActivityKind.CALL,
    "appointments": ActivityKind.APPOINTMENT,
    "quotes_sent": ActivityKind.QUOTE,
    "follow_ups": ActivityKind.FOLLOW_UP,
}


def activity_rows(activities: QuerySet[Activity], period: Period, by: str | None) -> Rows | None:
    """Activity counts per kind and group in the period; None when the grouping does not apply."""
    if not groupable(by, PATHS):
        return None
    aggregates = {name: Count("id", filter=Q(kind=kind)) for name, kind in KINDS.items()}
    done = activities.filter(in_period_moments("occurred_at", period))
    return grouped(done, group_key(by, PATHS, "occurred_at"), aggregates)
