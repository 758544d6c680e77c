"""What every API endpoint shares: scoped querysets, strict filters, paging, model validation."""

from collections.abc import Callable, Iterator
from datetime import UTC, date
from typing import cast

import django_filters
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import CheckConstraint, Model, Q, QuerySet
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import (
    exceptions,
    filters,
    mixins,
    permissions,
    serializers,
    viewsets,
)
from rest_framework.decorators import action
from rest_framework.settings import api_settings

import access
from core.csvout import csv_response
from org.models import User

PAGING_PARAMS = {"page", "page_size", "ordering", "search", "format"}


FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _within_calendar(day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise serializers.ValidationError(
            f"Give a day between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."
        )


def day_field(**kwargs) -> serializers.DateField:
    """An ISO day the server counts periods, years and days around (a pipeline as of it, a
    quarter's pace at it): kept where those neighbours exist, 1900 to 2999."""
    return serializers.DateField(validators=[_within_calendar], **kwargs)


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO moment with any offset, compared in UTC: PostgreSQL refuses offsets beyond
    ±15:59 that Python accepts, and a filter value must never be a server error."""

    def filter(self, qs, value):
        if value:
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                name = next(n for n, f in self.parent.filters.items() if f is self)
                raise exceptions.ValidationError({name: ["Out of range."]}) from None
        return super().filter(qs, value)


class StrictFilterBackend(DjangoFilterBackend):
    """Unknown query parameters are a 400, not silently ignored."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        known = set(filterset.filters) if filterset is not None else set()
        unknown = sorted(set(request.query_params) - known - PAGING_PARAMS)
        if unknown:
            allowed = ", ".join(sorted(known | PAGING_PARAMS))
            raise exceptions.ValidationError(
                {name: [f"Unknown filter. Use one of: {allowed}."] for name in unknown}
            )
        return super().filter_queryset(request, queryset, view)


def _lookup_fields(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _lookup_fields(child)
        else:
            lookup = cast(tuple[str, object], child)[0]  # a leaf of a Q is (lookup, value)
            names.add(lookup.split("__")[0])
    return names


def _constraint_field(model, message: str) -> str:
    """The one field a check constraint with this message is about, if it is about one."""
    for constraint in model._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        if constraint.get_violation_error_message() != message:
            continue
        assert isinstance(constraint.condition, Q)  # the project's checks are Q objects
        fields = _lookup_fields(constraint.condition)
        if len(fields) == 1:
            return fields.pop()
    return api_settings.NON_FIELD_ERRORS_KEY


def by_field(model, error: DjangoValidationError) -> dict[str, list[str]]:
    """Model errors keyed by field; a one-field constraint's message goes to its field."""
    result: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        for message in messages:
            key = _constraint_field(model, message) if name == NON_FIELD_ERRORS else name
            result.setdefault(key, []).append(message)
    return result


class ModelValidatingSerializer(serializers.ModelSerializer):
    """Runs the model's own validation (database constraints included) before saving.

    `scoped` maps a related field to an access-layer function, so an id outside the user's
    scope is refused as if it did not exist.
    """

    scoped: dict = {}
    not_cleaned: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        for name, visible in self.scoped.items():
            if request is not None and not fields[name].read_only:
                fields[name].queryset = visible(request.user)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        candidate = self.Meta.model(**{**self._current_values(), **attrs})
        candidate._state.adding = self.instance is None
        try:
            candidate.full_clean(exclude=self.not_cleaned)
        except DjangoValidationError as error:
            raise serializers.ValidationError(by_field(self.Meta.model, error)) from None
        return attrs

    def _current_values(self) -> dict:
        if self.instance is None:
            return {}
        model: type[Model] = self.Meta.model
        names = [f.name for f in model._meta.concrete_fields]
        return {name: getattr(self.instance, name) for name in names}


class ScopedPermission(permissions.BasePermission):
    """Reads follow the scope; writes ask `can_write`. An object out of scope is already a 404
    from the scoped queryset before its permission is asked, so ids cannot be probed."""

    def can_write(self, user, obj=None) -> bool:
        raise NotImplementedError

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS or view.detail:
            return True
        return self.can_write(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or self.can_write(request.user, obj)


class OrgWritePermission(ScopedPermission):
    """Anyone signed in reads what their scope shows; only sales operations writes."""

    def can_write(self, user, obj=None) -> bool:
        return access.can_manage_org(user)


def export_table(rows, serializer) -> tuple[list[str], Iterator[list]]:
    """The serializer's readable fields, and one row per object as the serializer shows it."""
    fields = [
        name
        for name, field in serializer.fields.items()
        if not isinstance(field, serializers.ListSerializer) and not field.write_only
    ]

    def lines():
        for row in rows.iterator(chunk_size=2000):
            data = serializer.to_representation(row)
            yield [data[name] for name in fields]

    return fields, lines()


class ReadOnlyScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """A viewset over `visible(user)`: objects outside the scope are 404, never 403. It lists,
    retrieves and exports only; an action it adds with another method adds just that action."""

    # An access-layer function, user -> queryset, wrapped in staticmethod.
    visible: Callable[[User], QuerySet] | None = None
    select: tuple[str, ...] = ()
    filter_backends = [StrictFilterBackend, filters.OrderingFilter, filters.SearchFilter]
    permission_classes = [permissions.IsAuthenticated, OrgWritePermission]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return self.visible(self.request.user).select_related(*self.select)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR}, filters=True)
    @action(detail=False, pagination_class=None)
    def export(self, request):
        """Every row you may see, with the filters applied, as CSV (streamed, not paged)."""
        rows = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer_class()(context=self.get_serializer_context())
        name = f"{self.basename}-{timezone.localdate().isoformat()}"
        return csv_response(name, *export_table(rows, serializer))


class ScopedViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ReadOnlyScopedViewSet,
):
    """A scoped viewset that also creates, updates (PATCH) and deletes, as its permission
    allows."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.defaults.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; admins create keys with `manage.py create_api_token`.",
        }
