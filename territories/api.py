from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.periods import PERIOD_MONTHS, period_containing
from spm import access
from spm.api import ModelValidatingSerializer, ScopedViewSet
from territories.models import Team, Territory, User
from territories.selectors.performance import territory_performance


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
    roots = []
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


class UserSerializer(ModelValidatingSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    scoped = {"manager": access.visible_people}
    not_cleaned = ("password",)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "role",
            "title",
            "manager",
            "team",
            "hired_on",
            "is_active",
        ]

    def create(self, validated_data):
        """People created here sign in once an admin sets their password."""
        user = User(**validated_data)
        user.set_unusable_password()
        user.save()
        return user


class UserViewSet(ScopedViewSet):
    """People: reps see themselves, managers their reporting tree, others everyone."""

    visible = staticmethod(access.visible_people)
    select = ("manager", "team")
    serializer_class = UserSerializer
    filterset_fields = ["role", "manager", "team", "is_active"]
    search_fields = ["username", "first_name", "last_name"]
    ordering_fields = ["last_name", "username"]


class TeamSerializer(ModelValidatingSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "manager"]


class TeamViewSet(ScopedViewSet):
    visible = staticmethod(access.visible_teams)
    serializer_class = TeamSerializer
    filterset_fields = ["manager"]
    search_fields = ["name"]
    ordering_fields = ["name"]


class TerritoryPerformanceView(APIView):
    """Revenue, quota attainment, win rate and growth (against the same period a year earlier)
    per territory, in your scope. Closed deals count in the territory credited when they closed."""

    permission_classes = [permissions.IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        period = serializers.ChoiceField(list(PERIOD_MONTHS), default="year")
        on = serializers.DateField(required=False, help_text="Any day in the period (ISO).")

        def validate_on(self, value):
            if not 1901 <= value.year <= 2998:  # the year before is compared with it
                raise serializers.ValidationError("Give a day between 1901 and 2998.")
            return value

    class OutputSerializer(serializers.Serializer):
        territory = serializers.CharField()
        revenue = serializers.DecimalField(max_digits=30, decimal_places=2)
        quota = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
        attainment = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
        win_rate = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
        previous_revenue = serializers.DecimalField(max_digits=30, decimal_places=2)
        growth = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer(many=True))
    def get(self, request):
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        period = period_containing(
            query.validated_data.get("on") or today, query.validated_data["period"]
        )
        scope = access.visible_scope(request.user)
        rows = territory_performance(scope, period, today=today)
        return Response(self.OutputSerializer(rows, many=True).data)
