from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_upload, name="upload"),
    path("<int:pk>/", views.import_run_page, name="run"),
    path("<int:pk>/status/", views.import_run_status_view, name="run-status"),
    path("<int:pk>/apply/", views.import_run_apply_view, name="run-apply"),
]
