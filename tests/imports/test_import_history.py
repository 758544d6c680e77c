"""An import records the past its file tells: open from the created date at the deal's amount,
in a stage nobody recorded, closed on the close date; nothing more."""

from datetime import date
from decimal import Decimal

import pytest

from core.periods import local_midnight
from metrics.scope import Scope
from metrics.service import kpi_panel
from pipeline.models import Deal, DealChange
from tests.clock import TODAY
from tests.imports.conftest import run_import

pytestmark = pytest.mark.django_db

FILE = (
    "external_id,name,owner,stage,amount,created_on,close_date\n"
    "W-1,Won in March,rep,Won,1000,2026-01-05,2026-03-01\n"
    "L-1,Lost in January,rep,Lost,300,2026-01-10,2026-01-20\n"
    "O-1,Still open,rep,Negotiation,500,2026-02-01,2026-12-20\n"
)


def history(external_id: str) -> list[tuple]:
    rows = DealChange.objects.filter(deal__external_id=external_id).order_by("changed_at", "id")
    return [
        (row.changed_at, row.status, row.stage and row.stage.name, row.amount, row.closed_on)
        for row in rows
    ]


def stock(day: date) -> tuple:
    total = kpi_panel(Scope.everything(), as_of=day).total
    return total["open_deals"], total["pipeline_amount"], total["weighted_pipeline"]


def test_each_deal_has_the_past_its_row_tells(stages, rep, write_csv, now):
    run_import(write_csv(FILE), kind="deals")

    assert history("W-1") == [
        (local_midnight(date(2026, 1, 5)), "open", None, Decimal(1000), None),
        (local_midnight(date(2026, 3, 1)), "won", "Won", Decimal(1000), date(2026, 3, 1)),
    ]
    assert history("L-1") == [
        (local_midnight(date(2026, 1, 10)), "open", None, Decimal(300), None),
        (local_midnight(date(2026, 1, 20)), "lost", "Lost", Decimal(300), date(2026, 1, 20)),
    ]
    # The open deal's stage is known from the import on, not before.
    opened, known = DealChange.objects.filter(deal__external_id="O-1").order_by("changed_at")
    assert (opened.changed_at, opened.stage, opened.forecast_category) == (
        local_midnight(date(2026, 2, 1)), None, "",
    )  # fmt: skip
    assert (known.stage.name, known.forecast_category, known.changed_fields) == (
        "Negotiation", "commit", "stage,forecast_category",
    )  # fmt: skip
    assert abs((known.changed_at - now).total_seconds()) < 60


def test_the_pipeline_of_past_days_after_an_import(stages, rep, write_csv):
    run_import(write_csv(FILE), kind="deals")

    assert stock(date(2026, 1, 4)) == (0, 0, 0)
    assert stock(date(2026, 1, 15)) == (2, Decimal(1300), 0)  # stages unknown: no weight
    assert stock(date(2026, 1, 20)) == (1, Decimal(1000), 0)
    assert stock(date(2026, 2, 28)) == (2, Decimal(1500), 0)
    assert stock(date(2026, 3, 1)) == (1, Decimal(500), 0)
    assert stock(TODAY) == (1, Decimal(500), Decimal(350))  # Negotiation, 70 %
    assert Deal.objects.get(external_id="O-1").forecast_category == "commit"
