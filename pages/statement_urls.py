from django.urls import path

from pages import plan_designer as plans
from pages import statement_runs as runs
from pages import statements as views

app_name = "compensation"
urlpatterns = [
    path("statements/", views.statement_index, name="statement-list"),
    path("statements/<int:pk>/", views.statement_page, name="statement-detail"),
    path("statements/<int:pk>/csv/", views.statement_csv, name="statement-csv"),
    path("statements/<int:pk>/dispute/", views.statement_dispute, name="statement-dispute"),
    path("runs/", runs.run_index, name="runs"),
    path("runs/start/", runs.run_start, name="run-start"),
    path("runs/<int:pk>/", runs.run_page, name="run"),
    path("runs/<int:pk>/status/", runs.run_status, name="run-status"),
    path("periods/<str:period>/<str:start>/", runs.period_page, name="period"),
    path("periods/<str:period>/<str:start>/reopen/", runs.period_reopen, name="period-reopen"),
    path("plans/", plans.plan_index, name="plans"),
    path("plans/new/", plans.plan_new, name="plan-new"),
    path("plans/<int:pk>/", plans.plan_edit, name="plan-edit"),
    path("disputes/", runs.dispute_index, name="disputes"),
    path("disputes/<int:pk>/decide/", runs.dispute_decide, name="dispute-decide"),
]
