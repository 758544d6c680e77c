"""A fresh demo has a year of past forecasts, so forecasts stand against what closed at once."""

from collections.abc import Iterator

import pytest
from django.db import transaction

from dashboards.forecasts import forecast_vs_actual
from demo.build import demo_load
from demo.forecasts import PAST_MONTHS
from forecasting.models import ForecastRun, RunStatus
from forecasting.selectors import forecast_accuracy
from org.models import User
from tests.browser.conftest import DEMO_SCALE
from tests.clock import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(seed=7, scale=DEMO_SCALE, today=TODAY, past_forecasts=PAST_MONTHS)
        yield
        transaction.set_rollback(True)


def test_load_demo_replays_a_forecast_at_each_month_start_of_the_last_year(demo):
    runs = ForecastRun.objects.order_by("as_of").values_list("as_of", "status")
    assert [as_of.isoformat() for as_of, _ in runs] == ["2025-12-01"] + [
        f"2026-{month:02}-01" for month in range(1, 12)
    ]
    assert {status for _, status in runs} == {RunStatus.SUCCEEDED}


def test_the_executive_sees_six_past_months_with_every_methods_error(demo):
    executive = User.objects.get(username="exec")
    outcomes = forecast_vs_actual(executive, months=6, today=TODAY)
    assert [o.month.isoformat() for o in outcomes] == [
        "2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01",
    ]  # fmt: skip
    assert all(o.actual > 0 and o.as_of == o.month for o in outcomes)
    scores = forecast_accuracy(outcomes)
    for method in ("blended", "weighted_pipeline", "ts_point"):
        assert scores[method].months == 6
        assert scores[method].mape is not None and scores[method].wape is not None
