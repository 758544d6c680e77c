from django.urls import path

from dashboards import views
from dashboards.drill import KINDS

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("rep/", views.rep, name="rep"),
    path("team/", views.manager, name="manager"),
    path("company/", views.executive, name="executive"),
    path("data-health/", views.data_health, name="admin"),
    path("kpis/", views.kpi_dictionary, name="kpis"),
    # The rows behind a figure: /dashboards/rows/deals/?measure=won&period=month...
    *(path(f"rows/{kind}/", views.drill, {"kind": kind}, name=f"drill-{kind}") for kind in KINDS),
]
