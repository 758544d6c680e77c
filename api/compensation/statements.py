"""Statements, their lines and disputes, in the people scope."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from api.base import (
    ModelValidatingSerializer,
    ReadOnlyScopedViewSet,
    ScopedPermission,
    ScopedViewSet,
    day_field,
)
from api.compensation.fields import MONEY
from compensation import tasks
from compensation.models import Dispute, PayPeriod, Statement, StatementLine
from compensation.services import dispute_raise, dispute_resolve
from core.queue import task_enqueue_on_commit


class StatementLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementLine
        fields = [
            *("id", "statement", "position", "kind", "component", "deal", "deal_name"),
            *("closed_on", "credit", "base", "tier", "rate", "exact", "amount", "explanation"),
            *("created_by", "created_at", "reason"),
        ]


class StatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statement
        fields = [
            *("id", "rep", "plan", "period", "start", "end", "currency", "quota", "attained"),
            *("attainment", "total", "draw_balance", "status", "built_at", "closed_at"),
        ]


class StatementDetailSerializer(StatementSerializer):
    lines = StatementLineSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]


class BuildInput(serializers.Serializer):
    period = serializers.ChoiceField(choices=PayPeriod.choices)
    start = day_field()
    close = serializers.BooleanField(default=False, help_text="Lock them after building.")


class BuildOutput(serializers.Serializer):
    queued = serializers.BooleanField()


class StatementViewSet(ReadOnlyScopedViewSet):
    """Statements in your scope: yours as a rep, your tree's as a manager, all otherwise."""

    visible = staticmethod(access.visible_statements)
    select = ("rep", "plan")
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {
        "rep": ["exact"],
        "plan": ["exact"],
        "period": ["exact"],
        "status": ["exact"],
        "start": ["exact", "gte", "lte"],
    }
    ordering_fields = ["start", "total"]

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    def get_queryset(self):
        statements = super().get_queryset()
        return statements.prefetch_related("lines") if self.action == "retrieve" else statements

    @extend_schema(request=BuildInput, responses={202: BuildOutput})
    @action(detail=False, methods=["post"])
    def build(self, request):
        """Queue building (and, with `close`, locking) a period's statements (admins)."""
        if not access.can_manage_comp_plans(request.user):
            raise exceptions.PermissionDenied()
        given = BuildInput(data=request.data)
        given.is_valid(raise_exception=True)
        period, start = given.validated_data["period"], given.validated_data["start"].isoformat()
        if given.validated_data["close"]:
            task, kwargs = tasks.statements_close, {"by_id": request.user.pk}
        else:
            task, kwargs = tasks.statements_build, {}
        task_enqueue_on_commit(
            task, period=period, start=start, consequence="the build was not started", **kwargs
        )
        return Response(BuildOutput({"queued": True}).data, status=status.HTTP_202_ACCEPTED)


class StatementLineViewSet(ReadOnlyScopedViewSet):
    visible = staticmethod(access.visible_statement_lines)
    serializer_class = StatementLineSerializer
    filterset_fields = ["statement", "kind", "deal"]
    ordering_fields = ["position"]


class DisputeSerializer(ModelValidatingSerializer):
    scoped = {
        "statement": access.visible_statements,
        "line": access.visible_statement_lines,
        "deal": access.visible_deals,
    }
    not_cleaned = ("raised_by",)

    class Meta:
        model = Dispute
        fields = [
            *("id", "statement", "line", "kind", "deal", "expected", "actual", "description"),
            *("raised_by", "raised_at", "status", "resolved_by", "resolved_at"),
            *("resolution_note", "adjustment"),
        ]
        read_only_fields = [
            *("raised_by", "raised_at", "status", "resolved_by", "resolved_at"),
            *("resolution_note", "adjustment"),
        ]

    def create(self, validated_data):
        return dispute_raise(by=self.context["request"].user, **validated_data)


class ResolveInput(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField()
    amount = serializers.DecimalField(
        required=False,
        allow_null=True,
        help_text="Adjustment when accepted; empty: expected minus actual.",
        **MONEY,
    )


class DisputePermission(ScopedPermission):
    """The statement's rep raises a dispute; sales operations resolves it."""

    def has_permission(self, request, view) -> bool:
        if request.method == "POST" and not view.detail:
            return access.can_raise_dispute(request.user)
        return super().has_permission(request, view)

    def can_write(self, user, obj=None) -> bool:
        return access.can_manage_comp_plans(user)


class DisputeViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_disputes)
    serializer_class = DisputeSerializer
    permission_classes = [permissions.IsAuthenticated, DisputePermission]
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["statement", "status", "kind"]
    ordering_fields = ["raised_at"]

    def perform_create(self, serializer) -> None:
        if not access.can_raise_dispute(
            access.signed_in(self.request), serializer.validated_data["statement"]
        ):
            raise exceptions.PermissionDenied("Only the rep paid by a statement disputes it.")
        serializer.save()

    @extend_schema(request=ResolveInput, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Accept (paid as an adjustment on the next statement) or reject a dispute (admins)."""
        dispute = self.get_object()
        given = ResolveInput(data=request.data)
        given.is_valid(raise_exception=True)
        dispute = dispute_resolve(dispute=dispute, by=request.user, **given.validated_data)
        return Response(DisputeSerializer(dispute, context={"request": request}).data)
