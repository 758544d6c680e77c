"""Days at the calendar's edges are a 400 naming the field, never a server error."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from core.periods import period_containing
from forecasting.models import ForecastCall
from quotas.models import Quota

pytestmark = pytest.mark.django_db

BEYOND = "The month of 9999-12-01 does not fit in the calendar (years 1 to 9999)."
BOUNDS = "Give a day between 1900-01-01 and 2999-12-31."


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_last_month_of_the_calendar_has_no_end():
    with pytest.raises(ValueError, match="does not fit in the calendar"):
        period_containing(date(9999, 12, 1), "month")
    assert period_containing(date(9999, 11, 30), "month").end == date(9999, 12, 1)


def test_a_forecast_call_for_the_last_month_is_refused(admin_user):
    body = {
        "scope_kind": "company",
        "scope_key": "",
        "period_kind": "month",
        "period_start": "9999-12-01",
        "amount": "1",
        "comment": "x",
    }
    response = api(admin_user).post("/api/v1/forecast-calls/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"period_start": [BEYOND]}
    assert not ForecastCall.objects.exists()


def test_quotas_for_the_last_month_are_refused(admin_user, rep):
    quota = {"period": "month", "start": "9999-12-01", "metric": "bookings", "amount": "1"}
    one = api(admin_user).post("/api/v1/quotas/", {"rep": rep.pk, **quota}, format="json")
    rows = [{"assignee_type": "rep", "assignee": rep.username, "amount": "1"}]
    bulk = api(admin_user).post("/api/v1/quotas/bulk/", {**quota, "rows": rows}, format="json")

    assert (one.status_code, one.json()) == (400, {"start": [BEYOND]})
    assert (bulk.status_code, bulk.json()) == (400, {"start": [BEYOND]})
    assert not Quota.objects.exists()


@pytest.mark.parametrize(
    "query",
    [{"as_of": "9999-12-31"}, {"today": "9999-12-31"}, {"today": "0001-01-01"}],
)
def test_kpis_as_of_a_day_at_the_calendar_edge_are_refused(admin_user, stages, query):
    response = api(admin_user).get("/api/v1/kpis/", query)

    assert response.status_code == 400
    assert response.json() == {name: [BOUNDS] for name in query}


def test_kpis_over_all_history_still_open_the_calendar(admin_user, stages):
    response = api(admin_user).get("/api/v1/kpis/", {"from": "0001-01-01", "to": "9999-12-31"})

    assert response.status_code == 200
    assert response.json()["total"]["deals_won"] == 0


def test_pipeline_movement_between_the_calendar_edges_is_refused(admin_user, stages):
    response = api(admin_user).get(
        "/api/v1/kpis/movement/", {"from": "0001-01-01", "to": "9999-12-31"}
    )

    assert response.status_code == 400
    assert response.json() == {"from": [BOUNDS], "to": [BOUNDS]}


def test_statements_for_the_last_month_are_not_queued(
    admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = api(admin_user).post(
            "/api/v1/statements/build/", {"period": "month", "start": "9999-12-01"}, format="json"
        )

    assert (response.status_code, response.json()) == (400, {"start": [BOUNDS]})
    assert queued == []
