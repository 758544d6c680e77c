import django_filters
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from api.base import (
    ModelValidatingSerializer,
    ReadOnlyScopedViewSet,
    ScopedPermission,
    ScopedViewSet,
    UtcDateTimeFilter,
)
from org.models import User
from pipeline.accounts import account_assign
from pipeline.due import is_overdue
from pipeline.locking import closed_deal_change, deal_recredit, locked_changes
from pipeline.models import (
    Account,
    Activity,
    Deal,
    DealChange,
    Product,
    Stage,
    Subscription,
    SurveyResponse,
)


class AccountSerializer(ModelValidatingSerializer):
    scoped = {"owner": access.visible_people, "parent": access.visible_accounts}

    class Meta:
        model = Account
        fields = [
            "id",
            "external_id",
            "name",
            "industry",
            "employees",
            "annual_revenue",
            "country",
            "parent",
            "territory",
            "owner",
            "segment",
        ]


class AccountFilter(django_filters.FilterSet):
    class Meta:
        model = Account
        fields = {
            "owner": ["exact"],
            "territory": ["exact"],
            "segment": ["exact"],
            "industry": ["exact"],
            "country": ["exact"],
        }


class AccountViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_accounts)
    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    search_fields = ["name", "external_id"]
    ordering_fields = ["name", "employees", "annual_revenue"]

    def perform_update(self, serializer) -> None:
        """A new territory or owner goes through the service that keeps the account's history."""
        account = serializer.instance
        territory = serializer.validated_data.pop("territory", account.territory)
        owner = serializer.validated_data.pop("owner", account.owner)
        with transaction.atomic():
            serializer.save()
            account_assign(
                account=account,
                territory=territory,
                owner=owner,
                on=timezone.localdate(),
                source="api",
                actor=access.signed_in(self.request),
            )
            account.refresh_from_db()


class ProductSerializer(ModelValidatingSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "family", "list_price", "currency", "billing"]


class ProductViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_products)
    serializer_class = ProductSerializer
    filterset_fields = ["family", "billing"]
    search_fields = ["name"]
    ordering_fields = ["name", "list_price"]


class StageSerializer(ModelValidatingSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "order", "probability", "kind", "forecast_category"]


class StageViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_stages)
    serializer_class = StageSerializer
    filterset_fields = ["kind"]
    ordering_fields = ["order"]


class DealChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealChange
        fields = [
            "changed_at",
            "changed_by",
            "changed_fields",
            "stage",
            "status",
            "closed_on",
            "amount",
            "currency",
            "expected_close_on",
            "forecast_category",
            "probability",
            "owner",
        ]


class DealSerializer(ModelValidatingSerializer):
    scoped = {
        "owner": access.visible_people,
        "account": access.visible_accounts,
        "territory": access.deal_territories,
    }
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Why: required (and audited) when an admin changes the amount, stage, close "
        "date, owner, account or territory of a won or lost deal.",
    )
    overdue = serializers.SerializerMethodField(
        help_text="Open and past its expected close date (today in the server's time zone)."
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "external_id",
            "name",
            "account",
            "owner",
            "product",
            "territory",
            "amount",
            "currency",
            "stage",
            "status",
            "forecast_category",
            "probability",
            "lead_source",
            "type",
            "created_on",
            "expected_close_on",
            "overdue",
            "closed_on",
            "lost_reason",
            "reason",
        ]
        read_only_fields = ["status"]
        extra_kwargs = {
            "probability": {
                "min_value": 0,
                "max_value": 100,
                "help_text": "The deal's own win probability, a percent from 0 to 100; null: its "
                "stage's. It overrides the stage's in the weighted pipeline.",
                "error_messages": {
                    "min_value": "A win probability is a percent from 0 to 100.",
                    "max_value": "A win probability is a percent from 0 to 100.",
                },
            },
            "lead_source": {"help_text": "Where the deal came from (as the CRM names it)."},
        }

    def validate(self, attrs):
        reason = attrs.pop("reason", "")
        if self.instance is not None:
            changed = locked_changes(self.instance, attrs)
            user = self.context["request"].user
            refusal = access.closed_deal_refusal(user, self.instance, changed, reason)
            if refusal:
                raise serializers.ValidationError({k: [why] for k, why in refusal.items()})
            self.locked = (changed, reason)
        return super().validate(attrs)

    def get_overdue(self, deal: Deal) -> bool:
        return is_overdue(deal, timezone.localdate())

    def create(self, validated_data):
        deal = Deal(**validated_data)
        deal.save(changed_by=self.context["request"].user)
        return deal

    def update(self, instance, validated_data):
        user = self.context["request"].user
        changed, reason = getattr(self, "locked", ([], ""))
        if changed:
            return closed_deal_change(instance, validated_data, by=user, reason=reason)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save(changed_by=user)
        return instance


class DealDetailSerializer(DealSerializer):
    history = DealChangeSerializer(source="changes", many=True, read_only=True)

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "history"]


class DealFilter(django_filters.FilterSet):
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte")
    closed_from = django_filters.DateFilter(field_name="closed_on", lookup_expr="gte")
    closed_to = django_filters.DateFilter(field_name="closed_on", lookup_expr="lte")
    created_from = django_filters.DateFilter(field_name="created_on", lookup_expr="gte")
    created_to = django_filters.DateFilter(field_name="created_on", lookup_expr="lte")
    expected_close_from = django_filters.DateFilter(
        field_name="expected_close_on", lookup_expr="gte"
    )
    expected_close_to = django_filters.DateFilter(field_name="expected_close_on", lookup_expr="lte")

    class Meta:
        model = Deal
        fields = [
            "owner",
            "stage",
            "status",
            "forecast_category",
            "type",
            "territory",
            "product",
            "account",
            "lead_source",
        ]


class DealPermission(ScopedPermission):
    """Reps and managers write the deals in their scope; executives read; admins do all."""

    def can_write(self, user, obj=None) -> bool:
        return access.can_edit_deal(user, obj)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method == "DELETE":
            return access.can_manage_org(request.user)
        return super().has_object_permission(request, view, obj)


class RecreditSerializer(serializers.Serializer):
    to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), help_text="The rep to credit (id)."
    )
    reason = serializers.CharField(max_length=500, help_text="Why (kept in the audit log).")


class DealViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_deals)
    select = ("stage",)
    filterset_class = DealFilter
    permission_classes = [permissions.IsAuthenticated, DealPermission]
    search_fields = ["name", "external_id", "account__name"]
    ordering_fields = ["amount", "created_on", "expected_close_on", "closed_on", "name"]

    def get_serializer_class(self):
        return DealDetailSerializer if self.action == "retrieve" else DealSerializer

    def get_queryset(self):
        deals = super().get_queryset()
        return deals.prefetch_related("changes") if self.action == "retrieve" else deals

    @extend_schema(request=RecreditSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def recredit(self, request, pk=None):
        """Credit a won or lost deal to another rep (admins; audited with the reason)."""
        if not access.can_change_closed_deals(request.user):
            raise exceptions.PermissionDenied("Only an admin can re-credit a closed deal.")
        deal = self.get_object()
        query = RecreditSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        try:
            deal_recredit(deal, by=request.user, **query.validated_data)
        except ValueError as error:
            raise serializers.ValidationError({"to": [str(error)]}) from error
        return Response(DealSerializer(deal, context=self.get_serializer_context()).data)


class ActivitySerializer(ModelValidatingSerializer):
    scoped = {"account": access.visible_accounts, "deal": access.visible_deals}

    class Meta:
        model = Activity
        fields = ["id", "rep", "kind", "occurred_at", "account", "deal", "outcome"]

    def validate_rep(self, rep):
        if not access.can_log_activity_for(self.context["request"].user, rep):
            raise serializers.ValidationError("You cannot log activities for this person.")
        return rep


class ActivityFilter(django_filters.FilterSet):
    occurred_from = UtcDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_to = UtcDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields = ["rep", "kind", "account", "deal"]


class ActivityPermission(ScopedPermission):
    def can_write(self, user, obj=None) -> bool:
        return access.can_log_activity_for(user, obj.rep if obj else user)


class ActivityViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_activities)
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    permission_classes = [permissions.IsAuthenticated, ActivityPermission]
    ordering_fields = ["occurred_at"]


class SubscriptionSerializer(ModelValidatingSerializer):
    scoped = {"account": access.visible_accounts}

    class Meta:
        model = Subscription
        fields = ["id", "account", "product", "mrr", "currency", "start", "end"]


class SubscriptionViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_subscriptions)
    serializer_class = SubscriptionSerializer
    filterset_fields = ["account", "product"]
    ordering_fields = ["start", "mrr"]


class SurveyResponseSerializer(ModelValidatingSerializer):
    scoped = {"account": access.visible_accounts}

    class Meta:
        model = SurveyResponse
        fields = ["id", "account", "kind", "score", "responded_on", "comment"]


class SurveyResponseViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_survey_responses)
    serializer_class = SurveyResponseSerializer
    filterset_fields = ["account", "kind", "score"]
    ordering_fields = ["responded_on", "score"]


class DealHistoryViewSet(ReadOnlyScopedViewSet):
    """Every recorded change of the deals in your scope, newest first."""

    visible = staticmethod(access.visible_deal_changes)
    serializer_class = DealChangeSerializer
    filterset_fields = ["deal", "stage"]
    ordering_fields = ["changed_at"]
