from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from forecasting.models import PipelineSnapshot
from pipeline.models import MONEY, StageKind
from pipeline.selectors import deal_states_as_of

ZERO = Value(0, output_field=DecimalField(**MONEY))


def end_of_day(day: date) -> datetime:
    midnight = datetime.combine(day + timedelta(days=1), time.min)
    return timezone.make_aware(midnight) - timedelta(microseconds=1)


def pipeline_snapshot_take(*, day: date) -> int:
    """Rebuild the open-pipeline snapshot of `day` from deal history; returns rows written.

    Running it again for the same day replaces that day's rows, so it is safe to retry.
    """
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability") / 100, output_field=DecimalField(**MONEY)
    )
    rows = (
        deal_states_as_of(end_of_day(day))
        .filter(stage__kind=StageKind.OPEN)
        .values("owner_id", "stage_id")
        .annotate(
            deals=Count("id"),
            total=Coalesce(Sum("amount"), ZERO),
            weighted_total=Coalesce(Sum(weighted), ZERO),
        )
    )
    snapshots = [
        PipelineSnapshot(
            taken_on=day,
            owner_id=row["owner_id"],
            stage_id=row["stage_id"],
            deals=row["deals"],
            amount=row["total"],
            weighted_amount=round(row["weighted_total"], 2),
        )
        for row in rows
    ]
    with transaction.atomic():
        PipelineSnapshot.objects.filter(taken_on=day).delete()
        PipelineSnapshot.objects.bulk_create(snapshots)
    return len(snapshots)
