"""Admin screens that need the access rules themselves: the audit log."""

from django.contrib import admin

import access
from core.admin import ReadOnlyAdmin
from org.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "model", "object_repr")
    list_filter = ("model", "action")
    search_fields = ("object_repr", "actor__username", "actor__last_name")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "action", "model", "object_id", "object_repr", "changes")

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_view_audit_log(request.user)
