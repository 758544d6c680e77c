"""The plan designer: a plan saved from one form, rate tables checked row by row, and a plan
already on statements changed as a new version from a date."""

from datetime import date
from decimal import Decimal

import pytest

from compensation.models import CompPlan, PlanAssignment, Statement
from compensation.services import statements_close
from tests.compensation.conftest import FEB, JAN, MAR, NOW, won_deal

pytestmark = pytest.mark.django_db
D = Decimal


def design(client, url: str, tiers, **fields):
    data = {
        "name": "Hunter", "start": "2026-01-01", "period": "month", "quota_metric": "bookings",
        "base": "bookings", "clawback_days": "0", "draw_recoverable": "on",
        "floor": [f for f, _ in tiers], "rate": [r for _, r in tiers], **fields,
    }  # fmt: skip
    return client.post(url, data)


def test_an_admin_designs_a_tiered_plan_and_assigns_it(client, admin_user, rep):
    client.force_login(admin_user)

    answer = design(client, "/compensation/plans/new/", [("0", "5"), ("100", "12"), ("", "")],
                    reps=[rep.pk])  # fmt: skip

    plan = CompPlan.objects.get(name="Hunter")
    assert answer.url == f"/compensation/plans/{plan.pk}/"
    commission = plan.components.get(kind="commission")
    assert list(commission.tiers.values_list("floor", "rate")) == [(0, 5), (100, 12)]
    assert PlanAssignment.objects.get(rep=rep).plan == plan


def test_a_bad_rate_table_says_which_row_is_wrong_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)

    answer = design(client, "/compensation/plans/new/", [("0", "5"), ("100", "x"), ("50", "8")])
    again = design(client, "/compensation/plans/new/", [("10", "5"), ("5", "-1")])

    assert answer.status_code == 400 and "Row 2: &#x27;100&#x27; % and &#x27;x&#x27;" in (
        answer.content.decode()
    )
    page = again.content.decode()
    assert "the first tier starts at 0 %" in page and "Row 2 starts at 5 %" in page
    assert "Row 2: a rate cannot be negative" in page
    assert not CompPlan.objects.exists()


def test_editing_a_plan_in_force_starts_a_new_version_and_old_statements_keep_theirs(
    client, admin_user, rep, stages
):
    client.force_login(admin_user)
    design(client, "/compensation/plans/new/", [("0", "10")], reps=[rep.pk])
    plan = CompPlan.objects.get()
    won_deal(stages, rep, "1000", date(2026, 1, 9))
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    url = f"/compensation/plans/{plan.pk}/"

    refused = design(client, url, [("0", "20")], effective="2026-01-15")
    design(client, url, [("0", "20")], effective="2026-02-01", reps=[rep.pk])

    assert "Closed statements on this plan run past that day" in refused.content.decode()
    plan.refresh_from_db()
    new = CompPlan.objects.exclude(pk=plan.pk).get()
    assert (plan.end, new.start, new.name) == (date(2026, 1, 31), FEB, "Hunter (from 2026-02-01)")
    assert Statement.objects.get(start=JAN).plan == plan
    assert Statement.objects.get(start=JAN).total == D(100)
    won_deal(stages, rep, "1000", date(2026, 3, 9))
    statements_close(period="month", start=MAR, by=admin_user, now=NOW)
    march = Statement.objects.get(start=MAR)
    assert (march.plan, march.total) == (new, D(200))
    on = PlanAssignment.objects.filter(rep=rep).order_by("start")
    assert [(a.plan, a.end) for a in on] == [(plan, date(2026, 1, 31)), (new, None)]


def test_only_admins_design_plans(client, rep, manager):
    for who in (rep, manager):
        client.force_login(who)
        assert client.get("/compensation/plans/").status_code == 403
        assert design(client, "/compensation/plans/new/", [("0", "5")]).status_code == 403
    assert not CompPlan.objects.exists()
