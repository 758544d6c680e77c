"""Narrowing a scope: territory subtrees, reporting trees, teams, reps, products, segments."""

from datetime import date
from decimal import Decimal

import pytest

from core.periods import ALL_TIME
from metrics.scope import Scope
from metrics.service import kpi_panel
from territories.models import TerritoryAssignment
from tests.metrics.conftest import TODAY
from tests.metrics.factories import (
    AccountFactory,
    ActivityFactory,
    DealFactory,
    QuotaFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(stages, rep, other_rep, recurring, one_time):
    """Europe > France > Paris; Rita sells in Paris to a strategic account, Olga elsewhere."""
    europe = TerritoryFactory(name="Europe", kind="region")
    france = TerritoryFactory(name="France", kind="area", parent=europe)
    paris = TerritoryFactory(name="Paris", parent=france)
    TerritoryAssignment.objects.create(rep=rep, territory=paris, start=date(2016, 1, 1))
    big = AccountFactory(segment="strategic", territory=paris, owner=rep)
    won = {"stage": stages["Won"], "created_on": date(2017, 1, 1), "closed_on": date(2017, 1, 9)}
    DealFactory(
        owner=rep, territory=paris, account=big, product=recurring, amount=Decimal("100"), **won
    )
    DealFactory(owner=other_rep, product=one_time, amount=Decimal("20"), **won)
    ActivityFactory(rep=rep, kind="call", occurred_at="2017-01-03T10:00Z", account=big)
    QuotaFactory(rep=rep, amount=Decimal("1000"))
    return {"europe": europe, "france": france, "paris": paris}  # fmt: skip


def revenue(scope: Scope) -> Decimal:
    return kpi_panel(scope, ALL_TIME, today=TODAY).total["revenue"]


def test_everything_sees_every_deal(world):
    assert revenue(Scope.everything()) == 120


def test_a_territory_includes_its_whole_subtree(world):
    scope = Scope.everything().narrow(territory=world["europe"])
    assert revenue(scope) == 100
    assert list(scope.reps.values_list("username", flat=True)) == ["rep"]
    assert scope.activities.count() == 1
    assert revenue(Scope.everything().narrow(territory=world["france"])) == 100


def test_a_manager_sees_the_whole_reporting_tree(world, executive, manager):
    assert revenue(Scope.everything().narrow(manager=executive)) == 120
    assert revenue(Scope.everything().narrow(manager=manager)) == 100


def test_a_team_a_rep_a_product_and_a_segment(world, rep, other_rep, one_time):
    everything = Scope.everything()
    assert revenue(everything.narrow(team=other_rep.team)) == 20
    assert revenue(everything.narrow(rep=rep)) == 100
    assert revenue(everything.narrow(product=one_time)) == 20
    assert revenue(everything.narrow(segment="strategic")) == 100


def test_product_and_segment_scopes_have_no_quota(world, one_time):
    assert not Scope.everything().narrow(product=one_time).quotas.exists()
    assert not Scope.everything().narrow(segment="smb").quotas.exists()


def test_narrowing_only_ever_filters_further(world, rep, manager, one_time):
    wide = Scope.everything().narrow(manager=manager)
    narrow = wide.narrow(product=one_time).narrow(rep=rep)
    for name in ("deals", "accounts", "activities", "subscriptions", "surveys", "quotas", "reps"):
        inner = set(getattr(narrow, name).values_list("id", flat=True))
        assert inner <= set(getattr(wide, name).values_list("id", flat=True))
    assert revenue(narrow) == 0  # Rita sells no one-time product


def test_a_rep_outside_the_scope_is_not_listed(world, other_rep):
    UserFactory(username="stranger", first_name="Sam", last_name="Stranger")
    panel = kpi_panel(Scope.everything().narrow(team=other_rep.team), ALL_TIME, "rep")
    assert [group.key for group in panel.groups] == ["Olga Rep"]


def test_a_scope_without_territory_list_names_only_the_territories_it_uses(world, rep):
    everything = Scope.everything()
    own = Scope(
        deals=everything.deals.filter(owner=rep),
        accounts=everything.accounts.filter(owner=rep),
        activities=everything.activities.filter(rep=rep),
        subscriptions=everything.subscriptions.filter(account__owner=rep),
        surveys=everything.surveys.filter(account__owner=rep),
        quotas=everything.quotas.filter(rep=rep),
        reps=everything.reps.filter(id=rep.id),
    )
    panel = kpi_panel(own, ALL_TIME, "territory", today=TODAY)
    assert [group.key for group in panel.groups] == ["Paris"]
    everyone = kpi_panel(everything, ALL_TIME, "territory", today=TODAY)
    assert [group.key for group in everyone.groups] == ["Europe", "France", "Paris", "(none)"]
