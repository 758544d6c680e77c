"""The survey family: CSAT (1-5) and NPS (0-10) answers, counted by the database."""

from django.db.models import Count, Q, QuerySet

from core.periods import Period
from metrics.queries.common import Paths, Rows, group_key, groupable, grouped, in_period
from pipeline.models import SurveyKind, SurveyResponse

# Answers belong to an account; an account has no product, so there is no product grouping.
PATHS: Paths = {
    "rep": "account__owner_id",
    "manager": "account__owner__manager_id",
    "team": "account__owner__team_id",
    "territory": "account__territory_id",
    "product": None,
    "segment": "account__segment",
}
CSAT = Q(kind=SurveyKind.CSAT)
NPS = Q(kind=SurveyKind.NPS)


def survey_rows(surveys: QuerySet[SurveyResponse], period: Period, by: str | None) -> Rows | None:
    """Answer counts per group in the period; None when the grouping does not apply."""
    if not groupable(by, PATHS):
        return None
    aggregates = {
        "csat_responses": Count("id", filter=CSAT),
        "csat_satisfied": Count("id", filter=CSAT & Q(score__gte=4)),
        "nps_responses": Count("id", filter=NPS),
        "promoters": Count("id", filter=NPS & Q(score__gte=9)),
        "detractors": Count("id", filter=NPS & Q(score__lte=6)),
    }
    answered = surveys.filter(in_period("responded_on", period))
    return grouped(answered, group_key(by, PATHS, "responded_on"), aggregates)
