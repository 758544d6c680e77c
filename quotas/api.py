from quotas.models import Quota
from spm import access
from spm.api import ModelValidatingSerializer, ScopedViewSet


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
