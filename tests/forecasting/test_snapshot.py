from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from forecasting.models import PipelineSnapshot
from forecasting.tasks import pipeline_snapshot_take
from pipeline.models import Deal

pytestmark = pytest.mark.django_db


def make_deal(stages, owner, amount: str, created: datetime) -> Deal:
    deal = Deal(
        name=amount,
        stage=stages["Prospecting"],
        owner=owner,
        amount=Decimal(amount),
        created_on=created.date(),
    )
    deal.save(changed_at=created)
    return deal


def test_snapshot_rebuilds_the_pipeline_of_a_past_day_from_history(stages, rep, other_rep):
    first = make_deal(stages, rep, "1000", datetime(2026, 5, 1, 10, tzinfo=UTC))
    make_deal(stages, rep, "500", datetime(2026, 5, 2, 10, tzinfo=UTC))
    make_deal(stages, other_rep, "300", datetime(2026, 5, 3, 10, tzinfo=UTC))
    first.stage = stages["Negotiation"]
    first.save(changed_at=datetime(2026, 5, 2, 23, 59, tzinfo=UTC))
    first.stage, first.closed_on = stages["Won"], date(2026, 5, 20)
    first.save(changed_at=datetime(2026, 5, 20, 12, tzinfo=UTC))

    summary = pipeline_snapshot_take.delay("2026-05-02").get()

    assert summary == {"day": "2026-05-02", "rows": 2}
    rows = PipelineSnapshot.objects.filter(taken_on=date(2026, 5, 2)).order_by("stage__order")
    assert [(r.owner, r.stage.name, r.deals, r.amount, r.weighted_amount) for r in rows] == [
        (rep, "Prospecting", 1, Decimal("500.00"), Decimal("50.00")),
        (rep, "Negotiation", 1, Decimal("1000.00"), Decimal("700.00")),
    ]


def test_taking_the_same_day_twice_replaces_its_rows(stages, rep):
    make_deal(stages, rep, "800", datetime(2026, 5, 1, 10, tzinfo=UTC))
    pipeline_snapshot_take("2026-05-01")
    pipeline_snapshot_take("2026-05-01")
    assert PipelineSnapshot.objects.get(taken_on=date(2026, 5, 1)).amount == Decimal("800.00")
