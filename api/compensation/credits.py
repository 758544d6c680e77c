"""Credit splits and payout previews of deals, in the deal and people scopes."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from api.base import ReadOnlyScopedViewSet
from api.compensation.fields import MONEY
from compensation.models import DealCredit
from compensation.services import deal_credit_set, deal_payout_preview


class DealCreditSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealCredit
        fields = ["id", "deal", "rep", "percent"]


class ShareInput(serializers.Serializer):
    rep = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class SplitInput(serializers.Serializer):
    deal = serializers.IntegerField()
    shares = ShareInput(many=True, help_text="Add up to 100; empty: the owner gets 100 %.")


class DealCreditViewSet(ReadOnlyScopedViewSet):
    """Credit splits; a deal without rows credits its owner 100 %."""

    visible = staticmethod(access.visible_deal_credits)
    serializer_class = DealCreditSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["deal", "rep"]

    @extend_schema(request=SplitInput, responses=DealCreditSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def split(self, request):
        """Replace a deal's credit split (admins)."""
        if not access.can_manage_comp_plans(request.user):
            raise exceptions.PermissionDenied()
        given = SplitInput(data=request.data)
        given.is_valid(raise_exception=True)
        deal = get_object_or_404(
            access.visible_deals(request.user), pk=given.validated_data["deal"]
        )
        people = access.visible_people(request.user).in_bulk(
            [share["rep"] for share in given.validated_data["shares"]]
        )
        shares = {}
        for share in given.validated_data["shares"]:
            if share["rep"] not in people or people[share["rep"]] in shares:
                raise exceptions.ValidationError(
                    {"shares": f"Rep {share['rep']} twice or unknown."}
                )
            shares[people[share["rep"]]] = share["percent"]
        rows = deal_credit_set(deal=deal, shares=shares)
        return Response(DealCreditSerializer(rows, many=True).data)


class EngineLineOutput(serializers.Serializer):
    kind = serializers.CharField()
    component = serializers.CharField()
    deal = serializers.IntegerField(source="deal_id", allow_null=True)
    deal_name = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    credit = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    base = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    tier = serializers.CharField()
    rate = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    exact = serializers.DecimalField(max_digits=24, decimal_places=8)
    amount = serializers.DecimalField(**MONEY)
    explanation = serializers.CharField()


class PayoutPreviewOutput(serializers.Serializer):
    rep = serializers.IntegerField(source="rep_id")
    plan = serializers.CharField(allow_null=True)
    period_start = serializers.DateField(source="period.start", allow_null=True)
    period_end = serializers.DateField(source="period.end", allow_null=True)
    closes_on = serializers.DateField()
    credit = serializers.DecimalField(max_digits=5, decimal_places=2)
    payout = serializers.DecimalField(**MONEY, help_text="The period's pay with it, less without.")
    total_without = serializers.DecimalField(**MONEY)
    total_with = serializers.DecimalField(**MONEY)
    lines = EngineLineOutput(many=True)


class DealPayoutOutput(serializers.Serializer):
    deal = serializers.IntegerField()
    previews = PayoutPreviewOutput(many=True)


class DealPayoutViewSet(viewsets.ViewSet):
    """What an open deal would pay, if won at its amount, to each credited rep you may see."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="A deal id.")],
        responses=DealPayoutOutput,
    )
    def retrieve(self, request, pk=None):
        deal = get_object_or_404(
            access.visible_deals(request.user).select_related("product"), pk=pk
        )
        credited = [credit.rep for credit in deal.credits.select_related("rep")]
        reps = credited or ([deal.owner] if deal.owner else [])
        previews = [
            deal_payout_preview(deal, rep)
            for rep in reps
            if access.can_see_pay_of(request.user, rep)
        ]
        return Response(DealPayoutOutput({"deal": deal.pk, "previews": previews}).data)
