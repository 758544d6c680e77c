from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from api.base import ModelValidatingSerializer, ScopedViewSet
from quotas.models import ASSIGNEES, PeriodKind, Quota, QuotaMetric
from quotas.services import quotas_import


class QuotaSerializer(ModelValidatingSerializer):
    class Meta:
        model = Quota
        fields = [
            "id",
            "rep",
            "team",
            "territory",
            "period",
            "start",
            "metric",
            "amount",
            "currency",
        ]


class QuotaRowInput(serializers.Serializer):
    assignee_type = serializers.ChoiceField(choices=ASSIGNEES)
    assignee = serializers.CharField(help_text="A rep's username, a team's or territory's name.")
    amount = serializers.CharField()


class QuotaBulkInput(serializers.Serializer):
    period = serializers.ChoiceField(choices=PeriodKind.choices)
    start = serializers.DateField()
    metric = serializers.ChoiceField(choices=QuotaMetric.choices)
    rows = QuotaRowInput(many=True, allow_empty=False)


class QuotaViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_quotas)
    serializer_class = QuotaSerializer
    filterset_fields = {
        "rep": ["exact"],
        "team": ["exact"],
        "territory": ["exact"],
        "period": ["exact"],
        "metric": ["exact"],
        "start": ["exact", "gte", "lte"],
    }
    ordering_fields = ["start", "amount"]

    @extend_schema(request=QuotaBulkInput, responses=QuotaSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def bulk(self, request):
        """Set a period's quotas in one go, all or nothing; a 400 names every bad row."""
        given = QuotaBulkInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        saved = quotas_import(
            kind=data["period"], start=data["start"], metric=data["metric"], rows=data["rows"]
        )
        return Response(QuotaSerializer(saved, many=True).data)
