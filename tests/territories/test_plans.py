"""Territory plans: draft from today, compare with the active assignments, activate on a date."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pipeline.models import Account, AccountAssignment, Deal
from planning.models import PlanStatus, TerritoryPlan
from planning.selectors.plans import plan_compare
from planning.services.plans import plan_activate, plan_draft, plan_set, plans_activate_due
from planning.tasks import plans_activate_due as task
from tests.factories import AccountFactory, DealFactory
from tests.territories.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(stages, rep, other_rep, north, south):
    """Big (potential 900, 400 open) and Small (potential 100) in North; Rita owns both."""
    big = AccountFactory(name="Big", territory=north, owner=rep, annual_revenue=900)
    small = AccountFactory(name="Small", territory=north, owner=rep, annual_revenue=100)
    DealFactory(account=big, owner=rep, stage=stages["Proposal"], amount=Decimal(400))
    return {"big": big, "small": small}


def test_a_draft_starts_as_today_and_compares_the_accounts_that_move(
    accounts, rep, other_rep, north, south
):
    plan = plan_draft(name="FY next")
    assert plan_compare(plan, Deal.objects.all()) == ([], [])
    plan_set(plan=plan, account=accounts["big"], territory=south, owner=other_rep)
    plan_set(plan=plan, account=accounts["small"], territory=north, owner=other_rep)
    moves, flows = plan_compare(plan, Deal.objects.all())
    assert [(m.account, m.territory_to, m.owner_to) for m in moves] == [
        ("Big", south.pk, other_rep.pk),
        ("Small", north.pk, other_rep.pk),  # a new owner, same territory
    ]
    by_name = {flow.territory: flow for flow in flows}
    assert (by_name["South"].accounts_in, by_name["South"].potential_in) == (1, 900)
    assert (by_name["North"].accounts_out, by_name["North"].pipeline_out) == (1, 400)
    assert Account.objects.get(name="Big").territory == north  # a draft changes nothing


def test_activating_today_moves_the_accounts_and_archives_the_old_plan(accounts, other_rep, south):
    old = plan_draft(name="This year")
    assert plan_activate(plan=old, on=TODAY) == 0  # identical to today: nothing moves
    plan = plan_draft(name="Next year")
    plan_set(plan=plan, account=accounts["big"], territory=south, owner=other_rep)
    assert plan_activate(plan=plan, on=TODAY) == 1
    assert Account.objects.get(name="Big").territory == south
    assert AccountAssignment.objects.get(end__isnull=True, source="plan").account.name == "Big"
    old.refresh_from_db()
    assert (old.status, plan.status) == (PlanStatus.ARCHIVED, PlanStatus.ACTIVE)
    with pytest.raises(ValidationError, match="Only a draft"):
        plan_set(plan=plan, account=accounts["small"], territory=south, owner=None)


def test_a_later_date_schedules_it_and_the_daily_task_activates_it(accounts, other_rep, south):
    plan = plan_draft(name="Next year")
    plan_set(plan=plan, account=accounts["big"], territory=south, owner=other_rep)
    tomorrow = TODAY + timedelta(days=1)
    assert plan_activate(plan=plan, on=tomorrow) == 0
    plan.refresh_from_db()
    assert (plan.status, plan.effective_on) == (PlanStatus.DRAFT, tomorrow)
    assert plans_activate_due(today=TODAY) == []
    assert task.delay().get() == []  # the task is a thin wrapper on the same function
    plan.effective_on = TODAY
    plan.save()
    assert task.delay(TODAY.isoformat()).get() == ["Next year"]
    assert TerritoryPlan.objects.get().status == PlanStatus.ACTIVE


def test_a_plan_into_a_closed_territory_is_refused_whole(accounts, other_rep, north, south):
    plan = plan_draft(name="Next year")
    plan_set(plan=plan, account=accounts["small"], territory=south, owner=other_rep)
    plan_set(plan=plan, account=accounts["big"], territory=north, owner=other_rep)
    north.closed_on = TODAY
    north.save()
    with pytest.raises(ValidationError, match="closed"):
        plan_set(plan=plan, account=accounts["big"], territory=north, owner=None)
    with pytest.raises(ValidationError, match="closed"):
        plan_activate(plan=plan, on=TODAY)
    assert Account.objects.get(name="Small").territory == north  # nothing moved
    assert TerritoryPlan.objects.get().status == PlanStatus.DRAFT
