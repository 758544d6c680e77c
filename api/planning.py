from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

import access
from core.periods import PERIOD_MONTHS, period_containing
from planning.selectors.performance import territory_performance


class TerritoryPerformanceView(APIView):
    """Revenue, quota attainment, win rate and growth (against the same days a year earlier: a
    period still running counts its days so far) per territory, in your scope. Closed deals
    count in the territory credited when they closed."""

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
