from django.contrib import admin

from metrics.models import SalesSpend


@admin.register(SalesSpend)
class SalesSpendAdmin(admin.ModelAdmin):
    list_display = ("month", "amount", "currency", "note")
    date_hierarchy = "month"
