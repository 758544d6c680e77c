from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from dashboards.forecasts import forecast_vs_actual, latest_forecast
from forecasting.models import ForecastCall, ForecastRun, RunStatus
from forecasting.selectors import Accuracy, ForecastOutcome, forecast_accuracy
from forecasting.services import forecast_run
from tests.forecasting.test_run import deal

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 5, 15)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def run(stages, rep, other_rep, manager, other_manager):
    deal(stages["Negotiation"], rep, "1000", date(2026, 5, 2), date(2026, 5, 25))
    deal(stages["Negotiation"], other_rep, "2000", date(2026, 5, 2), date(2026, 5, 25))
    return forecast_run(as_of=AS_OF)


def scopes(response) -> set[tuple[str, str]]:
    return {(row["scope_kind"], row["scope_name"]) for row in response.json()["results"]}


def test_a_rep_reads_only_their_own_lines(run, rep, other_rep):
    response = api(rep).get("/api/v1/forecast-lines/", {"period_kind": "month"})
    assert scopes(response) == {("rep", "Rita Rep")}
    assert response.json()["count"] == 3  # this month and the next two
    theirs = run.lines.get(scope_key=str(other_rep.pk), period_start=date(2026, 5, 1))
    assert api(rep).get(f"/api/v1/forecast-lines/{theirs.pk}/").status_code == 404


def test_a_manager_reads_their_tree_and_an_executive_everything(run, manager, executive):
    response = api(manager).get("/api/v1/forecast-lines/", {"period_kind": "quarter"})
    assert scopes(response) == {("manager", "Mia Manager"), ("rep", "Rita Rep")}
    everything = scopes(api(executive).get("/api/v1/forecast-lines/", {"page_size": 100}))
    assert ("company", "Company") in everything and ("rep", "Olga Rep") in everything


def test_a_manager_calls_their_own_number_and_nobody_else_s(run, manager, other_manager, rep):
    call = {
        "scope_kind": "manager",
        "scope_key": str(manager.pk),
        "period_kind": "month",
        "period_start": "2026-05-01",
        "amount": "900.00",
        "comment": "One deal is at risk.",
    }
    created = api(manager).post("/api/v1/forecast-calls/", call, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["made_by"] == manager.pk
    theirs = {**call, "scope_key": str(other_manager.pk)}
    assert api(manager).post("/api/v1/forecast-calls/", theirs, format="json").status_code == 403
    assert api(rep).post("/api/v1/forecast-calls/", call, format="json").status_code == 403
    assert ForecastCall.objects.count() == 1
    # A run as of a day after the call shows it beside the roll-up.
    ForecastCall.objects.update(made_at=datetime(2026, 5, 10, tzinfo=UTC))
    line = forecast_run(as_of=AS_OF).lines.get(
        scope_kind="manager",
        scope_key=str(manager.pk),
        period_kind="month",
        period_start=date(2026, 5, 1),
    )
    assert (line.commit, line.call, line.call_comment) == (
        Decimal(1000),
        Decimal(900),
        "One deal is at risk.",
    )


def test_a_call_for_a_day_that_starts_no_period_is_refused(run, manager):
    call = {
        "scope_kind": "manager",
        "scope_key": str(manager.pk),
        "period_kind": "quarter",
        "period_start": "2026-05-01",
        "amount": "900.00",
        "comment": "Mid-quarter?",
    }
    response = api(manager).post("/api/v1/forecast-calls/", call, format="json")
    assert response.status_code == 400
    assert "period_start" in response.json()
    assert not ForecastCall.objects.exists()


def test_latest_forecast_gives_each_person_their_headline_scope(
    run, rep, manager, executive, other_rep
):
    company = latest_forecast(executive, "month")
    assert [(line.scope_kind, line.period_start) for line in company] == [
        ("company", date(2026, 5, 1)),
        ("company", date(2026, 6, 1)),
        ("company", date(2026, 7, 1)),
    ]
    assert company[0].commit == Decimal(3000)
    assert {line.scope_name for line in latest_forecast(manager, "quarter")} == {"Mia Manager"}
    assert latest_forecast(rep, "month")[0].commit == Decimal(1000)
    # Another rep's number is not the rep's to see, even when asked for by name.
    assert not latest_forecast(rep, "month", scope=("rep", str(other_rep.pk))).exists()


def test_latest_forecast_skips_a_failed_run_and_is_empty_before_any(stages, executive):
    assert not latest_forecast(executive, "month").exists()
    good = forecast_run(as_of=date(2026, 5, 1))
    ForecastRun.objects.create(
        as_of=date(2026, 5, 2), status=RunStatus.FAILED, started_at=good.started_at
    )
    assert {line.run_id for line in latest_forecast(executive, "month")} == {good.pk}


def test_forecast_vs_actual_sets_each_month_s_first_run_against_its_revenue(stages, rep, manager):
    open_deal = deal(stages["Negotiation"], rep, "800", date(2026, 4, 20), date(2026, 5, 20))
    forecast_run(as_of=date(2026, 5, 1))
    forecast_run(as_of=date(2026, 5, 15))  # later in the month: not the month's forecast
    open_deal.stage, open_deal.closed_on = stages["Won"], date(2026, 5, 20)
    open_deal.save(changed_at=datetime(2026, 5, 20, 12, tzinfo=UTC))
    forecast_run(as_of=date(2026, 6, 1))

    outcomes = forecast_vs_actual(rep, months=3, today=date(2026, 7, 10))
    assert [(o.month, o.as_of, o.weighted_pipeline, o.actual) for o in outcomes] == [
        (date(2026, 5, 1), date(2026, 5, 1), Decimal("560.00"), Decimal("800.00")),
        (date(2026, 6, 1), date(2026, 6, 1), Decimal("0.00"), Decimal(0)),
    ]
    # The manager's tree holds the same deal.
    assert [o.actual for o in forecast_vs_actual(manager, 3, date(2026, 7, 1))] == [Decimal(800), 0]


def test_a_company_call_needs_no_key_and_only_admins_make_it(run, manager, admin_user):
    call = {
        "scope_kind": "company",
        "period_kind": "month",
        "period_start": "2026-05-01",
        "amount": "2500.00",
        "comment": "Board number.",
    }
    assert api(manager).post("/api/v1/forecast-calls/", call, format="json").status_code == 403
    made = api(admin_user).post("/api/v1/forecast-calls/", call, format="json")
    assert made.status_code == 201, made.json()
    assert ForecastCall.objects.get().scope_key == ""


def test_accuracy_is_the_mean_and_weighted_absolute_error_of_each_method():
    def outcome(month: int, blended, pipeline, series, actual, call=None) -> ForecastOutcome:
        day = date(2026, month, 1)
        return ForecastOutcome(
            day, day, Decimal(blended), Decimal(pipeline), series, Decimal(actual), call
        )

    outcomes = [
        outcome(5, 90, 50, Decimal(130), 100, Decimal(80)),
        outcome(6, 330, 300, None, 300),
    ]
    # WAPE: blend |90-100| + |330-300| = 40 over 400; pipeline 50 + 0 over 400; series 30 over
    # 100; the call 20 over 100. MAPE: blend (0.1 + 0.1) / 2, pipeline (0.5 + 0) / 2.
    assert forecast_accuracy(outcomes) == {
        "blended": Accuracy(2, Decimal("0.1"), Decimal("0.1")),
        "weighted_pipeline": Accuracy(2, Decimal("0.25"), Decimal("0.125")),
        "ts_point": Accuracy(1, Decimal("0.3"), Decimal("0.3")),
        "call": Accuracy(1, Decimal("0.2"), Decimal("0.2")),
    }
    assert forecast_accuracy([outcome(5, 10, 10, None, 0)]) == {
        "blended": Accuracy(1, None, None),
        "weighted_pipeline": Accuracy(1, None, None),
        "ts_point": Accuracy(0, None, None),
        "call": Accuracy(0, None, None),
    }


def test_a_call_through_the_api_takes_a_best_case_not_below_its_commit(run, manager):
    call = {
        "scope_kind": "manager",
        "scope_key": str(manager.pk),
        "period_kind": "month",
        "period_start": "2026-05-01",
        "amount": "900.00",
        "best_case": "800.00",
        "comment": "Upside in the renewal.",
    }
    refused = api(manager).post("/api/v1/forecast-calls/", call, format="json")
    assert refused.status_code == 400
    assert refused.json()["best_case"] == [
        "The best case (800.00) cannot be below the commit (900.00)."
    ]
    created = api(manager).post(
        "/api/v1/forecast-calls/", {**call, "best_case": "1200.00"}, format="json"
    )
    assert created.status_code == 201 and created.json()["best_case"] == "1200.00"
    assert list(ForecastCall.objects.values_list("best_case", flat=True)) == [Decimal(1200)]
