from django.urls import path

from pages import statements as views

app_name = "compensation"
urlpatterns = [
    path("statements/", views.statement_index, name="statement-list"),
    path("statements/<int:pk>/", views.statement_page, name="statement-detail"),
    path("statements/<int:pk>/csv/", views.statement_csv, name="statement-csv"),
]
