from django.contrib import admin

from forecasting.models import PipelineSnapshot


@admin.register(PipelineSnapshot)
class PipelineSnapshotAdmin(admin.ModelAdmin):
    list_display = ("taken_on", "owner", "stage", "deals", "amount", "weighted_amount")
    list_filter = ("stage",)
    search_fields = ("owner__first_name", "owner__last_name")
    list_select_related = ("owner", "stage")
    date_hierarchy = "taken_on"
