from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from api.base import ModelValidatingSerializer, ScopedViewSet
from territories.models import Territory


class TerritorySerializer(ModelValidatingSerializer):
    class Meta:
        model = Territory
        fields = ["id", "name", "kind", "parent", "closed_on"]
        read_only_fields = ["closed_on"]  # closing ends the reps' assignments: use the page


class TerritoryNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField())


def territory_tree(territories) -> list[dict]:
    """Nest a flat list of territories under their parents, roots first, names in order."""
    nodes = {
        t.pk: {"id": t.pk, "name": t.name, "kind": t.kind, "children": []} for t in territories
    }
    roots: list[dict] = []
    for territory in territories:
        parent = nodes.get(territory.parent_id)
        (parent["children"] if parent else roots).append(nodes[territory.pk])
    return roots


class TerritoryViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_territories)
    serializer_class = TerritorySerializer
    filterset_fields = ["kind", "parent"]
    search_fields = ["name"]
    ordering_fields = ["name"]

    @extend_schema(responses=TerritoryNodeSerializer(many=True))
    @action(detail=False, pagination_class=None)
    def tree(self, request):
        """The whole territory hierarchy, nested."""
        return Response(territory_tree(list(self.get_queryset().order_by("name"))))
