from django.urls import path

from dashboards import forecast_views

app_name = "forecast"
urlpatterns = [
    path("", forecast_views.page, name="page"),
    path("call/", forecast_views.call, name="call"),
    path("deals/", forecast_views.deals, name="deals"),
]
