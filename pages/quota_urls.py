from django.urls import path

from pages import quotas as views

app_name = "quotas"
urlpatterns = [
    path("plan/", views.quota_plan, name="plan"),
    path("allocate/", views.quota_allocate, name="allocate"),
    path("upload/", views.quota_upload, name="upload"),
]
