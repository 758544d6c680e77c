"""Forecast runs and lines (read-only, in the user's scope) and managers' calls."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers

import access
from api.base import ReadOnlyScopedViewSet, ScopedPermission, ScopedViewSet
from forecasting.methods import method_describe
from forecasting.models import ForecastCall, ForecastLine, ForecastRun
from forecasting.services import forecast_call_make


class ForecastRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ForecastRun
        fields = [
            *("id", "as_of", "status", "started_at", "finished_at", "duration_seconds"),
            *("error", "models_used"),
        ]


class ForecastRunViewSet(ReadOnlyScopedViewSet):
    visible = staticmethod(access.visible_forecast_runs)
    serializer_class = ForecastRunSerializer
    filterset_fields = ["as_of", "status"]
    ordering_fields = ["as_of", "started_at"]


class ForecastLineSerializer(serializers.ModelSerializer):
    method_label = serializers.SerializerMethodField(help_text="The time-series model, in words.")
    method_how = serializers.SerializerMethodField(help_text="How its number was made.")

    class Meta:
        model = ForecastLine
        fields = [
            *("id", "run", "scope_kind", "scope_key", "scope_name", "person", "territory"),
            *("period_kind", "period_start", "currency", "closed", "commit", "best_case"),
            *("pipeline", "weighted_pipeline", "call", "call_comment", "rollup_with_calls"),
            *(
                "method",
                "method_label",
                "method_how",
                "ts_point",
                "ts_low80",
                "ts_high80",
                "ts_low95",
                "ts_high95",
            ),
            *("blended", "blend_method"),
        ]

    @extend_schema_field(str)
    def get_method_label(self, line: ForecastLine) -> str:
        return method_describe(line.method).label if line.method else ""

    @extend_schema_field(str)
    def get_method_how(self, line: ForecastLine) -> str:
        return method_describe(line.method).how if line.method else ""


class ForecastLineViewSet(ReadOnlyScopedViewSet):
    visible = staticmethod(access.visible_forecast_lines)
    serializer_class = ForecastLineSerializer
    filterset_fields = ["run", "scope_kind", "scope_key", "period_kind", "period_start"]
    ordering_fields = ["period_start", "scope_name"]


class ForecastCallSerializer(serializers.ModelSerializer):
    class Meta:
        model = ForecastCall
        fields = [
            *("id", "scope_kind", "scope_key", "period_kind", "period_start", "amount"),
            *("best_case", "currency", "comment", "made_by", "made_at"),
        ]
        read_only_fields = ["currency", "made_by", "made_at"]

    def create(self, validated_data):
        return forecast_call_make(by=self.context["request"].user, **validated_data)


class ForecastCallPermission(ScopedPermission):
    """Managers and admins make calls; nobody edits or deletes one (a new call supersedes)."""

    def can_write(self, user, obj=None) -> bool:
        return obj is None and access.can_make_forecast_call(user)


class ForecastCallViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_forecast_calls)
    serializer_class = ForecastCallSerializer
    permission_classes = [permissions.IsAuthenticated, ForecastCallPermission]
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["scope_kind", "scope_key", "period_kind", "period_start"]
    ordering_fields = ["made_at"]
    select = ("made_by",)

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        if not access.can_make_forecast_call(
            access.signed_in(self.request), data["scope_kind"], data.get("scope_key", "")
        ):
            raise exceptions.PermissionDenied("A manager makes calls for their own tree only.")
        serializer.save()
