"""Telling demo data apart from real data, and removing it."""

from compensation.models import CompPlan, DealCredit, Dispute, PlanAssignment, Statement
from demo.data import AREAS, DEMO_DOMAIN, FIXED_PEOPLE, PRODUCTS, REGIONS, team_name
from forecasting.models import ForecastCall, PipelineSnapshot
from org.models import Team, User
from pipeline.models import Account, Activity, Deal, Product, Subscription, SurveyResponse
from quotas.models import Quota
from territories.models import Territory, TerritoryAssignment

# Children before what they point to; deal history goes with its deals.
SALES_DATA = (
    Dispute,
    Statement,
    DealCredit,
    PlanAssignment,
    CompPlan,
    Activity,
    SurveyResponse,
    Subscription,
    Quota,
    ForecastCall,
    PipelineSnapshot,
    Deal,
    Account,
    Product,
    TerritoryAssignment,
    Team,
)


def demo_is_loaded() -> bool:
    admin = User.objects.filter(username="admin", email=f"admin@{DEMO_DOMAIN}")
    return admin.exists() and Deal.objects.exists()


def demo_conflicts() -> list[str]:
    """What in the database stands in the way of building the demo from scratch."""
    if Deal.objects.exists():
        return ["the database already holds deals that are not demo data"]
    places = [*REGIONS, *AREAS, *(leaf for leaves in AREAS.values() for leaf in leaves)]
    taken = {
        "demo people": User.objects.filter(username__in=FIXED_PEOPLE)
        | User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}"),
        "territories": Territory.objects.filter(name__in=places),
        "products": Product.objects.filter(name__in=PRODUCTS),
        "teams": Team.objects.filter(name__in=[team_name(area) for area in AREAS]),
    }
    return [f"{label} already exist" for label, rows in taken.items() if rows.exists()]


def demo_reset() -> None:
    """Delete all sales data and the demo people; stages and everyone else stay."""
    for model in SALES_DATA:
        model.objects.all().delete()
    while Territory.objects.exists():
        Territory.objects.filter(children__isnull=True).delete()
    User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").delete()
