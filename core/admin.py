"""An admin base for records the app keeps itself; apps register their models with it."""

from django.contrib.admin import ModelAdmin
from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdmin(ModelAdmin):
    """A record kept by the app itself (history, logs, statements): listed, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
