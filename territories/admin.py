from django.contrib import admin

from territories.models import Territory, TerritoryAssignment


class AssignmentInline(admin.TabularInline):
    model = TerritoryAssignment
    extra = 0
    autocomplete_fields = ("rep",)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent")
    list_filter = ("kind", "parent")
    search_fields = ("name",)
    autocomplete_fields = ("parent",)
    inlines = [AssignmentInline]


@admin.register(TerritoryAssignment)
class TerritoryAssignmentAdmin(admin.ModelAdmin):
    list_display = ("rep", "territory", "start", "end")
    list_filter = ("territory",)
    search_fields = ("rep__first_name", "rep__last_name", "territory__name")
    autocomplete_fields = ("rep", "territory")
    date_hierarchy = "start"
