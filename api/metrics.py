"""KPIs over HTTP: the `kpis` command's parameters and JSON shape, in the caller's scope.

Scope parameters are ids looked up through the access layer: an id the caller may not see is
a 404, exactly like a forged id in a detail URL.
"""

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from api.base import day_field
from core.csvout import csv_response
from core.periods import inclusive_range
from metrics.definitions import COUNT, KPIS
from metrics.output import as_dict, as_rows, kpi_keys
from metrics.queries.common import GROUPS
from metrics.queries.movement import MOVES
from metrics.service import kpi_panel, pipeline_movement
from pipeline.models import SegmentTier

# Query parameter -> the access-layer function whose rows it may name.
NARROWING = {
    "territory": access.visible_territories,
    "manager": access.visible_people,
    "team": access.visible_teams,
    "rep": access.visible_people,
    "product": access.visible_products,
}


def _id_field(name: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, min_value=1, help_text=f"Only this {name} (id; its subtree or tree)."
    )


SCOPE_FIELDS = {
    **{name: _id_field(name) for name in NARROWING},
    "segment": serializers.ChoiceField(SegmentTier.choices, required=False),
}


class _Query(serializers.Serializer):
    def validate(self, attrs):
        first, last = attrs.get("from"), attrs.get("to")
        if first and last and first > last:
            raise serializers.ValidationError({"to": ["`to` comes before `from`."]})
        return attrs


KpiQuery = type(
    "KpiQuery",
    (_Query,),
    {
        "from": serializers.DateField(required=False, help_text="First day (ISO). Default: all."),
        "to": serializers.DateField(required=False, help_text="Last day, included (ISO)."),
        "by": serializers.ChoiceField(GROUPS, required=False, help_text="One row per group."),
        "kpi": serializers.CharField(
            required=False, help_text="KPI keys, comma separated (default: every KPI)."
        ),
        "today": day_field(
            required=False, help_text="As-of day for MRR and pace (ISO). Default: today."
        ),
        "as_of": day_field(
            required=False,
            help_text="Open deals, pipeline, weighted pipeline and coverage as they stood at "
            "the end of this day, from deal history (ISO). Default: now.",
        ),
        **SCOPE_FIELDS,
    },
)
MovementQuery = type(
    "MovementQuery",
    (_Query,),
    {
        "from": day_field(help_text="The pipeline at the end of this day (ISO)."),
        "to": day_field(help_text="... compared with the end of this day (ISO)."),
        "by": serializers.ChoiceField(
            [g for g in GROUPS if g not in ("month", "quarter")], required=False
        ),
        **SCOPE_FIELDS,
    },
)


def _value_field(unit: str) -> serializers.Field:
    if unit == COUNT:
        return serializers.IntegerField(allow_null=True, required=False)
    return serializers.FloatField(allow_null=True, required=False)


KPI_VALUES = {key: _value_field(kpi.unit) for key, kpi in KPIS.items()}
KpiPanel = inline_serializer(
    "KpiPanel",
    {
        "total": inline_serializer("KpiValues", KPI_VALUES),
        "groups": inline_serializer(
            "KpiGroup", {"key": serializers.CharField(), **KPI_VALUES}, many=True
        ),
    },
)
MOVEMENT_VALUES: dict[str, serializers.Field] = {
    name: serializers.FloatField() for name in ("start", *MOVES, "end")
}
PipelineMovement = inline_serializer(
    "PipelineMovement",
    {
        "total": inline_serializer("MovementValues", MOVEMENT_VALUES),
        "groups": inline_serializer(
            "MovementGroup", {"key": serializers.CharField(), **MOVEMENT_VALUES}, many=True
        ),
    },
)
KpiDefinition = inline_serializer(
    "KpiDefinition",
    {
        name: serializers.CharField()
        for name in ("key", "label", "unit", "family", "formula", "counts", "empty")
    },
    many=True,
)


def _read(request, query_class) -> dict:
    """The query parameters, validated; an unknown one is a 400 like on every list."""
    unknown = sorted(set(request.query_params) - set(query_class().fields))
    if unknown:
        allowed = ", ".join(sorted(query_class().fields))
        raise exceptions.ValidationError(
            {name: [f"Unknown parameter. Use one of: {allowed}."] for name in unknown}
        )
    query = query_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _scope(user, query: dict):
    """The caller's scope, narrowed by the ids they may see (any other id is a 404)."""
    narrowing: dict[str, Any] = {}  # Scope.narrow's arguments: rows, and a segment name
    for name, visible in NARROWING.items():
        if name in query:
            found = visible(user).filter(pk=query[name]).first()
            if found is None:
                raise Http404
            narrowing[name] = found
    if "segment" in query:
        narrowing["segment"] = query["segment"]
    return access.visible_scope(user).narrow(**narrowing)


def _keys(query: dict) -> list[str]:
    try:
        return kpi_keys([query["kpi"]] if "kpi" in query else None)
    except ValueError as error:
        raise exceptions.ValidationError({"kpi": [str(error)]}) from error


def _panel(request):
    query = _read(request, KpiQuery)
    keys = _keys(query)
    period = inclusive_range(query.get("from"), query.get("to"))
    panel = kpi_panel(
        _scope(request.user, query),
        period,
        query.get("by"),
        today=query.get("today"),
        as_of=query.get("as_of"),
    )
    return panel, keys


class OneObjectSchema(AutoSchema):
    """The panel is one object (total and groups), not a list of rows to page through."""

    def _is_list_view(self, serializer=None) -> bool:
        return is_list_serializer(serializer) if serializer is not None else False


class KpiViewSet(viewsets.ViewSet):
    """Every KPI of docs/metrics.md for a period, as a total and per group, in your scope."""

    permission_classes = [permissions.IsAuthenticated]
    schema = OneObjectSchema()

    @extend_schema(parameters=[KpiQuery], responses=KpiPanel)
    def list(self, request):
        """`{"total": {kpi: value}, "groups": [{"key": name, kpi: value}]}`; rates are
        fractions, money is in the deals' currency, a KPI without a value is null."""
        panel, keys = _panel(request)
        return Response(as_dict(panel, keys))

    @extend_schema(parameters=[KpiQuery], responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False)
    def export(self, request):
        """The same figures as CSV: one row per group, then the total."""
        panel, keys = _panel(request)
        return csv_response(f"kpis-{timezone.localdate().isoformat()}", *as_rows(panel, keys))

    @extend_schema(parameters=[MovementQuery], responses=PipelineMovement)
    @action(detail=False)
    def movement(self, request):
        """Why the open pipeline changed between two days: new, reopened, pulled in,
        expanded, contracted, pushed out, won and lost amounts (a waterfall), per group."""
        query = _read(request, MovementQuery)
        total, groups = pipeline_movement(
            _scope(request.user, query), query["from"], query["to"], query.get("by")
        )
        return Response(
            {"total": _movement(total), "groups": [_movement(g, key=True) for g in groups]}
        )

    @extend_schema(responses=KpiDefinition)
    @action(detail=False)
    def definitions(self, request):
        """The KPI dictionary: what each key means, its unit and what no data gives."""
        _read(request, _Query)
        fields = ("key", "label", "unit", "family", "formula", "counts", "empty")
        return Response([{name: getattr(kpi, name) for name in fields} for kpi in KPIS.values()])


def _movement(movement, key: bool = False) -> dict:
    values = {name: float(getattr(movement, name)) for name in ("start", *MOVES, "end")}
    return {"key": movement.key, **values} if key else values
