from django.urls import path
from rest_framework.routers import DefaultRouter

from compensation import api as compensation_api
from forecasting import api as forecasting_api
from metrics import api as metrics_api
from org import api as org_api
from pipeline import api as pipeline_api
from pipeline.imports import api as imports_api
from planning import api as planning_api
from quotas import api as quotas_api
from territories import api as territories_api

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
