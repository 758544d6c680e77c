from django.contrib import admin

from quotas.models import Quota, RampSchedule


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ("__str__", "rep", "team", "territory", "period", "start", "metric", "amount")
    list_filter = ("period", "metric", "team", "territory")
    search_fields = ("rep__first_name", "rep__last_name", "team__name", "territory__name")
    list_select_related = ("rep", "team", "territory")
    autocomplete_fields = ("rep", "team", "territory")
    date_hierarchy = "start"


@admin.register(RampSchedule)
class RampScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "steps")
