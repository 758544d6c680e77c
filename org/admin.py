from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin
from org.models import ApiToken, ReportingLine, Team, User
from org.services import api_token_create, api_token_revoke, reporting_move_refusal


class PersonForm(UserChangeForm):
    effective_from = forms.DateField(
        required=False,
        help_text="With a new manager or team: the day it takes effect (not in the future). "
        "Empty: today.",
    )

    def clean_effective_from(self) -> date | None:
        on = self.cleaned_data.get("effective_from")
        if on is not None:
            refusal = reporting_move_refusal(self.instance, on)
            if refusal:
                raise forms.ValidationError(refusal)
        self.instance.effective_from = on
        return on


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PersonForm
    list_display = ("username", "get_full_name", "role", "manager", "team", "is_active")
    list_filter = ("role", "team", "is_active", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("manager", "team")
    autocomplete_fields = ("manager", "team")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Sales organisation",
            {"fields": ("role", "title", "manager", "team", "effective_from", "hired_on")},
        ),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "manager")
    search_fields = ("name", "manager__first_name", "manager__last_name")
    autocomplete_fields = ("manager",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    fields = ("user", "name")
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        token, key = api_token_create(user=obj.user, name=obj.name)
        obj.pk = token.pk
        self.message_user(request, f"Token created. Copy the key now, it is not shown again: {key}")

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token)


@admin.register(ReportingLine)
class ReportingLineAdmin(ReadOnlyAdmin):
    """Kept by the app from every change of a person's manager or team."""

    list_display = ("person", "manager", "team", "start", "end")
    list_filter = ("team",)
    search_fields = ("person__username", "person__last_name", "manager__last_name")
    list_select_related = ("person", "manager", "team")
