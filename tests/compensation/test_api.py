"""The compensation API: plans are read by all and written by admins, with an audit trail."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from compensation.models import CompPlan, Dispute, PlanComponent, Statement
from compensation.services import dispute_raise, statements_close
from org.models import AuditEntry
from quotas.models import Quota
from tests.compensation.conftest import JAN, NOW, assign, make_plan, won_deal

pytestmark = pytest.mark.django_db
D = Decimal


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


PLAN = {"name": "FY26 AE", "start": "2026-01-01", "period": "month", "clawback_days": 90}


def test_admins_write_plans_with_tiers_everyone_reads_them(admin_user, rep):
    created = api(admin_user).post("/api/v1/comp-plans/", PLAN, format="json")
    plan_id = created.json()["id"]
    component = {
        "plan": plan_id,
        "name": "Commission",
        "kind": "commission",
        "base": "bookings",
        "tiers": [{"floor": "0", "rate": "5"}, {"floor": "100", "rate": "8"}],
    }
    added = api(admin_user).post("/api/v1/plan-components/", component, format="json")

    read = api(rep).get(f"/api/v1/comp-plans/{plan_id}/").json()
    refused = api(rep).post("/api/v1/comp-plans/", {**PLAN, "name": "Mine"}, format="json")

    assert (created.status_code, added.status_code) == (201, 201), added.json()
    assert read["components"][0]["tiers"] == [
        {"floor": "0.00", "rate": "5.0000"},
        {"floor": "100.00", "rate": "8.0000"},
    ]
    assert refused.status_code == 403


def test_model_rules_come_back_as_field_errors(admin_user):
    plan = make_plan()
    spif = {"plan": plan.pk, "name": "SPIF", "kind": "spif", "spif_fixed": "1", "spif_percent": "1"}

    response = api(admin_user).post("/api/v1/plan-components/", spif, format="json")
    bad_plan = api(admin_user).post(
        "/api/v1/comp-plans/", {**PLAN, "end": "2025-12-31"}, format="json"
    )

    assert response.status_code == 400
    assert "either a fixed amount or a percent" in str(response.json())
    assert bad_plan.status_code == 400


def test_plan_changes_through_the_api_are_audited_with_their_actor(admin_user):
    client = Client()
    client.force_login(admin_user)  # a session, so the audit middleware sees who
    plan_id = client.post("/api/v1/comp-plans/", PLAN, content_type="application/json").json()["id"]
    client.patch(
        f"/api/v1/comp-plans/{plan_id}/", {"cap": "50000.00"}, content_type="application/json"
    )

    entries = AuditEntry.objects.filter(model="compensation.CompPlan").order_by("at", "id")
    assert [(e.action, e.actor) for e in entries] == [
        ("created", admin_user),
        ("updated", admin_user),
    ]
    assert entries.last().changes == {"cap": [None, "50000.00"]}


def test_replacing_tiers_is_audited_row_by_row(admin_user):
    plan = make_plan()
    component = PlanComponent.objects.get(plan=plan)
    body = {"tiers": [{"floor": "0", "rate": "6"}]}

    api(admin_user).patch(f"/api/v1/plan-components/{component.pk}/", body, format="json")

    actions = AuditEntry.objects.filter(model="compensation.RateTier").values_list(
        "action", "changes"
    )
    assert list(actions.order_by("id"))[-2:] == [
        (
            "deleted",
            {"component": [component.pk, None], "floor": ["0.00", None], "rate": ["10.0000", None]},
        ),
        (
            "created",
            {"component": [None, component.pk], "floor": [None, "0.00"], "rate": [None, "6.0000"]},
        ),
    ]


def test_what_if_runs_for_admins_only_and_reports_the_change_in_cost(stages, admin_user, rep):
    plan = make_plan("Tiered", tiers=((0, 5), (100, 10)))
    assign(rep, plan)
    Quota.objects.create(rep=rep, period="month", start=JAN, metric="bookings", amount=10000)
    won_deal(stages, rep, "12000", date(2026, 1, 9))
    body = {
        "start": "2026-01-01",
        "changes": {"components": [{"name": "Commission", "tiers": [
            {"floor": "0", "rate": "5"}, {"floor": "100", "rate": "20"}]}]},
    }  # fmt: skip

    response = api(admin_user).post(f"/api/v1/comp-plans/{plan.pk}/what-if/", body, format="json")
    refused = api(rep).post(f"/api/v1/comp-plans/{plan.pk}/what-if/", body, format="json")

    # 10,000 x 5 % + 2,000 x 10 % = 700; with 20 % above quota: 500 + 400 = 900.
    assert response.status_code == 200, response.json()
    result = response.json()
    assert (result["before"], result["after"], result["change"]) == ("700.00", "900.00", "200.00")
    assert result["rows"][0]["rep"] == rep.pk
    assert refused.status_code == 403
    assert not Statement.objects.exists()


def test_what_if_refuses_a_day_that_does_not_start_a_period(admin_user):
    plan = make_plan()

    response = api(admin_user).post(
        f"/api/v1/comp-plans/{plan.pk}/what-if/", {"start": "2026-01-15"}, format="json"
    )

    assert response.status_code == 400
    assert "does not start a fiscal month" in str(response.json())


def test_admins_queue_statement_builds(
    stages, admin_user, rep, plan, django_capture_on_commit_callbacks
):
    assign(rep, plan)
    won_deal(stages, rep, "1000", date(2026, 1, 5))
    body = {"period": "month", "start": "2026-01-01", "close": True}

    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_user).post("/api/v1/statements/build/", body, format="json")
    refused = api(rep).post("/api/v1/statements/build/", body, format="json")

    assert (response.status_code, refused.status_code) == (202, 403)
    statement = Statement.objects.get()
    assert (statement.status, statement.closed_by, statement.total) == (
        "closed",
        admin_user,
        D(100),
    )


def test_admins_resolve_disputes_through_the_api(stages, admin_user, rep, plan):
    assign(rep, plan)
    won_deal(stages, rep, "1000", date(2026, 1, 5))
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    statement = Statement.objects.get()
    dispute = dispute_raise(
        statement=statement, by=rep, kind="missing_deal", expected=D(40), actual=D(0)
    )
    url = f"/api/v1/disputes/{dispute.pk}/resolve/"

    refused = api(rep).post(url, {"accept": True, "note": "me"}, format="json")
    done = api(admin_user).post(url, {"accept": True, "note": "Found it"}, format="json")

    assert refused.status_code == 403
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "accepted"
    assert Dispute.objects.get().amount == D(40)  # paid on the next statement built


def test_admins_split_deal_credit_through_the_api(stages, admin_user, rep, other_rep):
    deal = won_deal(stages, rep, "1000", date(2026, 1, 5))
    shares = [{"rep": rep.pk, "percent": "70"}, {"rep": other_rep.pk, "percent": "20"}]

    wrong = api(admin_user).post(
        "/api/v1/deal-credits/split/", {"deal": deal.pk, "shares": shares}, format="json"
    )
    shares[1]["percent"] = "30"
    right = api(admin_user).post(
        "/api/v1/deal-credits/split/", {"deal": deal.pk, "shares": shares}, format="json"
    )
    refused = api(rep).post(
        "/api/v1/deal-credits/split/", {"deal": deal.pk, "shares": []}, format="json"
    )

    assert wrong.status_code == 400 and "90.00 %" in str(wrong.json())
    assert right.status_code == 200
    assert sorted(row["percent"] for row in right.json()) == ["30.00", "70.00"]
    assert refused.status_code == 403
    assert api(other_rep).get("/api/v1/deal-credits/").json()["count"] == 1  # their own share


def test_plans_are_read_but_assignments_follow_the_people_scope(rep, other_rep, plan):
    assign(rep, plan)
    assign(other_rep, plan)

    assert api(rep).get("/api/v1/comp-plans/").json()["count"] == CompPlan.objects.count() == 1
    assert [a["rep"] for a in api(rep).get("/api/v1/plan-assignments/").json()["results"]] == [
        rep.pk
    ]


def test_a_margin_over_100_percent_is_a_400_on_its_field(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    plan = {"name": "Margin plan", "start": "2026-01-01", "margin_percent": "150"}
    response = client.post("/api/v1/comp-plans/", plan, format="json")
    assert response.status_code == 400
    assert response.json() == {"margin_percent": ["A margin is at most 100 %."]}
