from django.contrib import admin

from forecasting.models import ForecastCall, ForecastLine, ForecastRun, PipelineSnapshot


@admin.register(PipelineSnapshot)
class PipelineSnapshotAdmin(admin.ModelAdmin):
    list_display = ("taken_on", "owner", "stage", "deals", "amount", "weighted_amount")
    list_filter = ("stage",)
    search_fields = ("owner__first_name", "owner__last_name")
    list_select_related = ("owner", "stage")
    date_hierarchy = "taken_on"


class BuiltByTheRun(admin.ModelAdmin):
    """Runs and their lines are written by the forecast run only: read them, or delete them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ForecastRun)
class ForecastRunAdmin(BuiltByTheRun):
    list_display = ("as_of", "status", "started_at", "duration_seconds")
    list_filter = ("status",)
    date_hierarchy = "as_of"


@admin.register(ForecastLine)
class ForecastLineAdmin(BuiltByTheRun):
    list_display = (
        *("run", "scope_kind", "scope_name", "period_kind", "period_start"),
        *("weighted_pipeline", "ts_point", "blended"),
    )
    list_filter = ("scope_kind", "period_kind")
    search_fields = ("scope_name",)
    list_select_related = ("run",)


@admin.register(ForecastCall)
class ForecastCallAdmin(admin.ModelAdmin):
    list_display = (
        *("scope_kind", "scope_key", "period_kind", "period_start"),
        *("amount", "best_case", "made_by", "made_at"),
    )
    list_filter = ("scope_kind", "period_kind")
    list_select_related = ("made_by",)
