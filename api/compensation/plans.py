"""Plans, components and assignments: everyone signed in reads plans, admins write; the
what-if simulation (admins)."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from api.base import ModelValidatingSerializer, ScopedPermission, ScopedViewSet
from api.compensation.fields import MONEY, PERCENT, RATE
from compensation import engine
from compensation.models import BonusThreshold, CompPlan, PlanAssignment, PlanComponent, RateTier
from compensation.services import plan_component_save, plan_what_if


class PlanPermission(ScopedPermission):
    def can_write(self, user, obj=None) -> bool:
        return access.can_manage_comp_plans(user)


class RateTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = RateTier
        fields = ["floor", "rate"]


class ThresholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = BonusThreshold
        fields = ["attainment", "amount"]


class PlanComponentSerializer(ModelValidatingSerializer):
    """A component with its rate tiers and bonus thresholds; writing either replaces them."""

    tiers = RateTierSerializer(many=True, required=False)
    thresholds = ThresholdSerializer(many=True, required=False)
    NESTED = ("tiers", "thresholds")

    class Meta:
        model = PlanComponent
        fields = [
            *("id", "plan", "name", "kind", "order", "base", "cap", "spif_product", "spif_from"),
            *("spif_to", "spif_min_amount", "spif_fixed", "spif_percent", "tiers", "thresholds"),
        ]

    def validate(self, attrs):
        nested = {name: attrs.pop(name) for name in self.NESTED if name in attrs}
        return {**super().validate(attrs), **nested}

    def save_component(self, component: PlanComponent, attrs: dict) -> PlanComponent:
        tiers = attrs.pop("tiers", None)
        thresholds = attrs.pop("thresholds", None)
        for name, value in attrs.items():
            setattr(component, name, value)
        return plan_component_save(
            component=component,
            tiers=None if tiers is None else [(t["floor"], t["rate"]) for t in tiers],
            thresholds=None
            if thresholds is None
            else [(t["attainment"], t["amount"]) for t in thresholds],
        )

    def create(self, validated_data):
        return self.save_component(PlanComponent(), validated_data)

    def update(self, instance, validated_data):
        return self.save_component(instance, validated_data)


class CompPlanSerializer(ModelValidatingSerializer):
    components = PlanComponentSerializer(many=True, read_only=True)

    class Meta:
        model = CompPlan
        fields = [
            *("id", "name", "start", "end", "period", "quota_metric", "currency"),
            *("margin_percent", "cap", "draw", "draw_recoverable", "clawback_days", "components"),
        ]


class TierInput(serializers.Serializer):
    floor = serializers.DecimalField(**PERCENT)
    rate = serializers.DecimalField(**RATE)


class ThresholdInput(serializers.Serializer):
    attainment = serializers.DecimalField(**PERCENT)
    amount = serializers.DecimalField(min_value=0, **MONEY)


class ComponentChange(serializers.Serializer):
    name = serializers.CharField()
    tiers = TierInput(many=True, required=False)
    thresholds = ThresholdInput(many=True, required=False)
    cap = serializers.DecimalField(required=False, allow_null=True, min_value=0, **MONEY)
    fixed = serializers.DecimalField(required=False, allow_null=True, min_value=0, **MONEY)
    percent = serializers.DecimalField(required=False, allow_null=True, **RATE)
    min_amount = serializers.DecimalField(required=False, allow_null=True, min_value=0, **MONEY)


class PlanChanges(serializers.Serializer):
    cap = serializers.DecimalField(required=False, allow_null=True, min_value=0, **MONEY)
    draw = serializers.DecimalField(required=False, allow_null=True, min_value=0, **MONEY)
    draw_recoverable = serializers.BooleanField(required=False)
    margin_percent = serializers.DecimalField(required=False, max_value=100, **PERCENT)
    clawback_days = serializers.IntegerField(required=False, min_value=0, max_value=3650)
    components = ComponentChange(many=True, required=False)


class QuotaOverride(serializers.Serializer):
    rep = serializers.IntegerField()
    amount = serializers.DecimalField(min_value=0, **MONEY)


class WhatIfInput(serializers.Serializer):
    start = serializers.DateField(help_text="First day of the past month or quarter to rerun.")
    changes = PlanChanges(required=False)
    quota_percent = serializers.DecimalField(required=False, **PERCENT)
    quotas = QuotaOverride(many=True, required=False)

    def service_changes(self) -> dict:
        """The changes as `plan_what_if` takes them."""
        changes = dict(self.validated_data.get("changes", {}))
        components = {}
        for change in changes.pop("components", []):
            change = dict(change)
            if "tiers" in change:
                change["tiers"] = tuple(engine.Tier(t["floor"], t["rate"]) for t in change["tiers"])
            if "thresholds" in change:
                change["thresholds"] = tuple(
                    engine.Threshold(t["attainment"], t["amount"]) for t in change["thresholds"]
                )
            components[change.pop("name")] = change
        return {**changes, "components": components} if components else changes


class WhatIfRowOutput(serializers.Serializer):
    rep = serializers.IntegerField(source="rep_id")
    rep_name = serializers.CharField(source="rep")
    quota_before = serializers.DecimalField(allow_null=True, **MONEY)
    quota_after = serializers.DecimalField(allow_null=True, **MONEY)
    before = serializers.DecimalField(**MONEY)
    after = serializers.DecimalField(**MONEY)
    change = serializers.DecimalField(**MONEY)


class WhatIfOutput(serializers.Serializer):
    plan = serializers.CharField()
    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.end", help_text="Exclusive.")
    rows = WhatIfRowOutput(many=True)
    before = serializers.DecimalField(**MONEY)
    after = serializers.DecimalField(**MONEY)
    change = serializers.DecimalField(**MONEY, help_text="Change in the total cost of sales.")


class CompPlanViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_comp_plans)
    serializer_class = CompPlanSerializer
    permission_classes = [permissions.IsAuthenticated, PlanPermission]
    filterset_fields = ["period", "quota_metric"]
    search_fields = ["name"]
    ordering_fields = ["name", "start"]

    def get_queryset(self):
        return (
            super().get_queryset().prefetch_related("components__tiers", "components__thresholds")
        )

    @extend_schema(request=WhatIfInput, responses=WhatIfOutput)
    @action(detail=True, methods=["post"], url_path="what-if")
    def what_if(self, request, pk=None):
        """Rerun a past period's real deals under a changed plan or quota; nothing is saved."""
        plan = self.get_object()
        given = WhatIfInput(data=request.data)
        given.is_valid(raise_exception=True)
        quotas = {row["rep"]: row["amount"] for row in given.validated_data.get("quotas", [])}
        result = plan_what_if(
            plan=plan,
            start=given.validated_data["start"],
            changes=given.service_changes(),
            quota_percent=given.validated_data.get("quota_percent"),
            quotas=quotas,
        )
        return Response(WhatIfOutput(result).data)


class PlanComponentViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_plan_components)
    serializer_class = PlanComponentSerializer
    permission_classes = [permissions.IsAuthenticated, PlanPermission]
    filterset_fields = ["plan", "kind"]
    ordering_fields = ["order"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tiers", "thresholds")


class PlanAssignmentSerializer(ModelValidatingSerializer):
    scoped = {"rep": access.visible_people}

    class Meta:
        model = PlanAssignment
        fields = ["id", "rep", "plan", "start", "end"]


class PlanAssignmentViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_plan_assignments)
    serializer_class = PlanAssignmentSerializer
    permission_classes = [permissions.IsAuthenticated, PlanPermission]
    filterset_fields = ["rep", "plan"]
    ordering_fields = ["start"]
