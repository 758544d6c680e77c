from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dashboards import record_views
from spm.views import health, home, overview

urlpatterns = [
    path("", home, name="home"),
    path("overview/", overview, name="overview"),
    path("health/", health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("deals/<int:pk>/", record_views.deal, name="deal"),
    path("accounts/<int:pk>/", record_views.account, name="account"),
    path("compensation/", include("pages.statement_urls")),
    path("imports/", include("imports.urls")),
    path("territories/", include("pages.territory_urls")),
    path("quotas/", include("pages.quota_urls")),
    path("dashboards/", include("dashboards.urls")),
    path("api/v1/", include(("api.urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "spm.views.bad_request"
