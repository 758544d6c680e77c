"""The admin site: sales operations only (`access.can_use_admin_site`)."""

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.auth.forms import AuthenticationForm

import access


class AdminLoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not access.can_use_admin_site(user):
            raise forms.ValidationError(
                "This account cannot manage sales operations data.", code="invalid_login"
            )


class PacerAdminSite(AdminSite):
    site_header = "Pacer sales operations"
    site_title = "Pacer admin"
    login_form = AdminLoginForm

    def has_permission(self, request) -> bool:
        return access.can_use_admin_site(request.user)
