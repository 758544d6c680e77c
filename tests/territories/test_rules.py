"""Assignment rules: priority order, every kind of condition, preview versus apply."""

from decimal import Decimal

import pytest

from pipeline.models import Account, AccountAssignment, Deal
from planning.models import AssignmentRule
from planning.selectors.rules import assignment_preview
from planning.services.rules import assignment_apply
from tests.factories import AccountFactory, TerritoryFactory
from tests.territories.conftest import TODAY

pytestmark = pytest.mark.django_db


def rule(priority: int, territory, **conditions) -> AssignmentRule:
    accounts = conditions.pop("accounts", [])
    made = AssignmentRule.objects.create(
        name=f"Rule {priority}", priority=priority, territory=territory, **conditions
    )
    made.accounts.set(accounts)
    return made


@pytest.fixture
def market(rep, north, south):
    """Three French accounts of different sizes and one German bank, all unassigned."""
    return {
        "small": AccountFactory(name="Small", country="France", employees=40, owner=rep),
        "big": AccountFactory(
            name="Big", country="france", employees=5000, annual_revenue=Decimal("9e8")
        ),
        "bank": AccountFactory(name="Bank", country="Germany", industry="Banking"),
        "named": AccountFactory(name="Named", country="France", employees=10),
    }


def targets() -> dict[str, str | None]:
    moves = assignment_preview(Account.objects.all(), TODAY)
    return {move.account: move.territory_to for move in moves}


def test_the_first_matching_rule_by_priority_wins(market, north, south):
    rule(20, north, countries="France")
    rule(10, south, countries="France, Spain", min_employees=1000)
    assert targets() == {
        "Big": south.pk,  # both match; priority 10 goes first
        "Named": north.pk,
        "Small": north.pk,
    }
    AssignmentRule.objects.filter(priority=10).update(priority=30)
    assert targets() == {"Big": north.pk, "Named": north.pk, "Small": north.pk}


def test_each_kind_of_condition(market, north, south, other_rep):
    east, west = TerritoryFactory(name="East"), TerritoryFactory(name="West")
    rule(1, east, accounts=[market["named"]], owner=other_rep)
    rule(2, west, industries="banking")
    rule(3, north, min_revenue=Decimal("1e8"), max_revenue=Decimal("1e9"))
    rule(4, south, max_employees=100)
    moves = {m.account: m for m in assignment_preview(Account.objects.all(), TODAY)}
    assert {name: move.territory_to for name, move in moves.items()} == {
        "Bank": west.pk,
        "Big": north.pk,
        "Named": east.pk,
        "Small": south.pk,
    }
    assert moves["Named"].owner_to == other_rep.pk
    assert moves["Small"].owner_to == moves["Small"].owner_from  # no owner: the account keeps its


def test_a_region_condition_takes_accounts_anywhere_below_it(market, north, south):
    europe = TerritoryFactory(name="Europe", kind="region")
    north.parent = europe
    north.save()
    Account.objects.filter(name="Bank").update(territory=north)
    rule(1, south, region=europe)
    assert targets() == {"Bank": south.pk}


def test_preview_changes_nothing_and_apply_does_exactly_what_it_showed(market, north, rep):
    rule(1, north, countries="France")
    preview = assignment_preview(Account.objects.all(), TODAY)
    assert not AccountAssignment.objects.exists()
    assert Account.objects.filter(territory=north).count() == 0
    applied = assignment_apply(accounts=Account.objects.all(), on=TODAY, actor=rep)
    assert applied == preview
    assert set(Account.objects.filter(territory=north).values_list("name", flat=True)) == {
        "Big", "Named", "Small",
    }  # fmt: skip
    assert AccountAssignment.objects.filter(start=TODAY, source="rule").count() == 3
    assert assignment_preview(Account.objects.all(), TODAY) == []  # nothing left to move


def test_a_rule_into_a_closed_territory_is_skipped(market, north, south):
    north.closed_on = TODAY
    north.save()
    rule(1, north, countries="France")
    rule(2, south, max_employees=100)
    assert targets() == {"Named": south.pk, "Small": south.pk}


def test_inactive_rules_and_no_rules_move_nothing(market, north):
    rule(1, north, active=False)
    assert targets() == {}


def test_the_preview_sums_up_what_moves_and_where_nobody_works(
    client, admin_user, rep, stages, north, south
):
    from django.urls import reverse

    from planning.selectors.plans import move_flows
    from territories.models import TerritoryAssignment
    from tests.factories import DealFactory

    lyon = AccountFactory(
        name="Lyon SA", country="France", annual_revenue=Decimal("5000"), territory=south
    )
    nice = AccountFactory(name="Nice SA", country="France", territory=south)
    DealFactory(account=lyon, owner=rep, stage=stages["Proposal"], amount=Decimal("1200.50"))
    DealFactory(account=nice, owner=rep, stage=stages["Negotiation"], amount=Decimal("300"))
    DealFactory(
        account=nice, owner=rep, stage=stages["Won"], amount=Decimal("999"), closed_on=TODAY
    )
    rule(1, north, countries="France")
    TerritoryAssignment.objects.create(rep=rep, territory=south, start=TODAY)
    moves = assignment_preview(Account.objects.all(), TODAY)
    flows = {f.territory: f for f in move_flows(moves, Deal.objects.all(), TODAY)}
    assert (flows["North"].accounts_in, flows["North"].pipeline_in) == (2, Decimal("1500.50"))
    assert flows["North"].potential_in == Decimal("5000")
    assert (flows["South"].accounts_out, flows["South"].pipeline_out) == (2, Decimal("1500.50"))
    assert flows["North"].unworked and not flows["South"].unworked
    client.force_login(admin_user)
    page = client.get(reverse("territories:rule-list")).content.decode()
    assert "2 accounts would move, with 1,500.50 USD of open pipeline between territories." in page
    assert "No rep works North</strong>" in page
