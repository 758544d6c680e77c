from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

import access
from access.admin_site import ReadOnlyAdmin
from org.models import ApiToken, AuditEntry, Team, User
from org.services import api_token_create, api_token_revoke


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "manager", "team", "is_active")
    list_filter = ("role", "team", "is_active", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("manager", "team")
    autocomplete_fields = ("manager", "team")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Sales organisation", {"fields": ("role", "title", "manager", "team", "hired_on")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "manager")
    search_fields = ("name", "manager__first_name", "manager__last_name")
    autocomplete_fields = ("manager",)


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    fields = ("user", "name")
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        token, key = api_token_create(user=obj.user, name=obj.name)
        obj.pk = token.pk
        self.message_user(request, f"Token created. Copy the key now, it is not shown again: {key}")

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            api_token_revoke(token=token)
