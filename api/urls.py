from django.urls import path
from rest_framework.routers import DefaultRouter

from api import compensation as compensation_api
from api import forecasting as forecasting_api
from api import imports as imports_api
from api import metrics as metrics_api
from api import org as org_api
from api import pipeline as pipeline_api
from api import planning as planning_api
from api import quotas as quotas_api
from api import territories as territories_api

router = DefaultRouter()
router.include_format_suffixes = False
router.register("accounts", pipeline_api.AccountViewSet, basename="account")
router.register("products", pipeline_api.ProductViewSet, basename="product")
router.register("stages", pipeline_api.StageViewSet, basename="stage")
router.register("deals", pipeline_api.DealViewSet, basename="deal")
router.register("deal-history", pipeline_api.DealHistoryViewSet, basename="deal-history")
router.register("activities", pipeline_api.ActivityViewSet, basename="activity")
router.register("subscriptions", pipeline_api.SubscriptionViewSet, basename="subscription")
router.register("survey-responses", pipeline_api.SurveyResponseViewSet, basename="survey")
router.register("imports", imports_api.ImportRunViewSet, basename="import")
router.register("territories", territories_api.TerritoryViewSet, basename="territory")
router.register("users", org_api.UserViewSet, basename="user")
router.register("teams", org_api.TeamViewSet, basename="team")
router.register("quotas", quotas_api.QuotaViewSet, basename="quota")
router.register("kpis", metrics_api.KpiViewSet, basename="kpi")

router.register("comp-plans", compensation_api.CompPlanViewSet, basename="compplan")
router.register("plan-components", compensation_api.PlanComponentViewSet, basename="plancomponent")
router.register(
    "plan-assignments", compensation_api.PlanAssignmentViewSet, basename="planassignment"
)
router.register("statements", compensation_api.StatementViewSet, basename="statement")
router.register("statement-lines", compensation_api.StatementLineViewSet, basename="statementline")
router.register("disputes", compensation_api.DisputeViewSet, basename="dispute")
router.register("deal-credits", compensation_api.DealCreditViewSet, basename="dealcredit")
router.register("deal-payouts", compensation_api.DealPayoutViewSet, basename="deal-payout")
router.register("forecast-runs", forecasting_api.ForecastRunViewSet, basename="forecastrun")
router.register("forecast-lines", forecasting_api.ForecastLineViewSet, basename="forecastline")
router.register("forecast-calls", forecasting_api.ForecastCallViewSet, basename="forecastcall")

urlpatterns = router.urls
urlpatterns += [
    path(
        "territory-performance/",
        planning_api.TerritoryPerformanceView.as_view(),
        name="territory-performance",
    ),
]
