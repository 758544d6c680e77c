"""Closed facts are locked: only an admin changes a won deal's amount, stage, close date, owner,
account or territory, with a reason that is audited; a re-credit is explicit and audited."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from compensation.services import statements_build, statements_close, statements_recalculate
from core.periods import Period
from metrics.scope import Scope
from metrics.service import kpi_panel
from org.models import AuditEntry
from pipeline.models import Deal
from territories.models import TerritoryAssignment
from tests.compensation.conftest import JAN, NOW, assign, make_plan
from tests.factories import DealFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

JANUARY = Period(date(2026, 1, 1), date(2026, 2, 1))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def won(stages, rep):
    return DealFactory(
        name="Acme", owner=rep, stage=stages["Won"], amount=Decimal(1000),
        created_on=date(2026, 1, 2), closed_on=date(2026, 1, 20),
    )  # fmt: skip


def revenue_by_rep() -> dict:
    panel = kpi_panel(Scope.everything(), JANUARY, "rep")
    return {g.key: g.values["revenue"] for g in panel.groups}


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "9675.00"},
        {"closed_on": "2026-01-25"},
        {"lost_reason": "x", "amount": "1.00"},
    ],
)
def test_a_rep_cannot_rewrite_a_won_deal(won, rep, change):
    answer = api(rep).patch(f"/api/v1/deals/{won.pk}/", change, format="json")

    assert answer.status_code == 400
    field = "amount" if "amount" in change else "closed_on"
    assert answer.json()[field] == [f"This deal is won: only an admin can change its {field}."]
    won.refresh_from_db()
    assert (won.amount, won.closed_on, won.lost_reason) == (1000, date(2026, 1, 20), "")
    assert won.changes.count() == 1


def test_a_rep_cannot_reopen_hand_over_or_move_a_won_deal(won, rep, other_rep, stages):
    territory = TerritoryFactory(name="North")
    TerritoryAssignment.objects.create(rep=rep, territory=territory, start=date(2025, 1, 1))
    change = {"stage": stages["Negotiation"].pk, "territory": territory.pk}
    answer = api(rep).patch(f"/api/v1/deals/{won.pk}/", change, format="json")

    assert answer.status_code == 400
    why = "This deal is won: only an admin can change its territory, stage."
    assert answer.json() == {"territory": [why], "stage": [why]}
    assert Deal.objects.get(pk=won.pk).status == "won"


def test_a_rep_edits_an_open_deal_and_puts_it_only_in_their_territories(stages, rep):
    deal = DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal(500))
    mine, other = TerritoryFactory(name="North"), TerritoryFactory(name="South")
    TerritoryAssignment.objects.create(rep=rep, territory=mine, start=date(2025, 1, 1))
    client = api(rep)

    refused = client.patch(f"/api/v1/deals/{deal.pk}/", {"territory": other.pk}, format="json")
    assert refused.status_code == 400 and "territory" in refused.json()
    accepted = client.patch(
        f"/api/v1/deals/{deal.pk}/", {"territory": mine.pk, "amount": "650.00"}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    deal.refresh_from_db()
    assert (deal.territory, deal.amount) == (mine, Decimal(650))


def test_an_admin_changes_a_won_deal_with_a_reason_and_it_is_audited(won, admin_user):
    client = api(admin_user)
    url = f"/api/v1/deals/{won.pk}/"

    refused = client.patch(url, {"amount": "1200.00"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "reason": ["Give a reason for changing a closed deal: the change is audited."]
    }
    accepted = client.patch(
        url, {"amount": "1200.00", "reason": "Signed order says 1,200"}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    assert "reason" not in accepted.json()
    entry = AuditEntry.objects.get(model="pipeline.Deal")
    assert (entry.actor, entry.action, entry.object_id) == (admin_user, "updated", str(won.pk))
    assert entry.changes == {"amount": ["1000.00", "1200.00"]}
    assert entry.reason == "Signed order says 1,200"
    assert Deal.objects.get(pk=won.pk).amount == Decimal(1200)


def test_an_admin_recredits_a_won_deal_and_only_that_moves_its_credit(
    won, rep, other_rep, admin_user, other_manager
):
    assert revenue_by_rep() == {"Rita Rep": 1000, "Olga Rep": 0}
    url = f"/api/v1/deals/{won.pk}/recredit/"

    assert api(rep).post(url, {"to": other_rep.pk, "reason": "mine"}).status_code == 403
    no_reason = api(admin_user).post(url, {"to": other_rep.pk})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    answer = api(admin_user).post(url, {"to": other_rep.pk, "reason": "Olga closed it"})

    assert answer.status_code == 200, answer.content
    won.refresh_from_db()
    assert (won.owner, won.closed_owner, won.closed_manager) == (rep, other_rep, other_manager)
    assert won.closed_team == other_manager.managed_teams.get()
    entry = AuditEntry.objects.get(model="pipeline.Deal", action="recredit")
    assert entry.changes["closed_owner"] == [rep.pk, other_rep.pk]
    assert (entry.actor, entry.reason) == (admin_user, "Olga closed it")
    assert revenue_by_rep() == {"Rita Rep": 0, "Olga Rep": 1000}
    won.lost_reason = "n/a"
    won.save()  # a later save keeps the credit
    assert Deal.objects.get(pk=won.pk).closed_owner == other_rep


def test_an_open_deal_has_no_credit_to_move(stages, rep, other_rep, admin_user):
    deal = DealFactory(owner=rep, stage=stages["Proposal"])
    answer = api(admin_user).post(
        f"/api/v1/deals/{deal.pk}/recredit/", {"to": other_rep.pk, "reason": "x"}
    )
    assert answer.status_code == 400
    assert answer.json() == {"to": ["Only a closed deal has a credit to move: this deal is open."]}


def test_the_admin_site_asks_a_reason_for_a_closed_deal(client, won, admin_user, rep):
    client.force_login(rep)
    assert client.get(f"/admin/pipeline/deal/{won.pk}/change/").status_code == 302
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    form = {
        "name": "Acme", "owner": rep.pk, "stage": won.stage_id, "amount": "1500.00",
        "currency": "USD", "type": "new_business", "created_on": "2026-01-02",
        "closed_on": "2026-01-20", "changes-TOTAL_FORMS": "0", "changes-INITIAL_FORMS": "0",
    }  # fmt: skip
    url = f"/admin/pipeline/deal/{won.pk}/change/"

    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "This deal is won: give a reason to change its amount." in refused.content.decode()
    assert Deal.objects.get(pk=won.pk).amount == Decimal(1000)
    accepted = client.post(url, {**form, "reason": "Order amended"})
    assert accepted.status_code == 302
    assert Deal.objects.get(pk=won.pk).amount == Decimal(1500)
    entry = AuditEntry.objects.get(model="pipeline.Deal")
    assert (entry.changes, entry.reason) == ({"amount": ["1000.00", "1500.00"]}, "Order amended")


def test_a_rep_cannot_import(rep):
    answer = api(rep).get("/api/v1/imports/")
    assert answer.status_code == 403


def test_a_change_after_a_closed_period_is_an_adjustment_on_the_statement(
    won, rep, admin_user, stages
):
    plan = make_plan()
    assign(rep, plan)
    statements_build(period="month", start=JAN, now=NOW)
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    api(admin_user).patch(
        f"/api/v1/deals/{won.pk}/", {"amount": "3000.00", "reason": "Upsell booked late"},
        format="json",
    )  # fmt: skip

    statements_recalculate(period="month", start=JAN, by=admin_user, reason="Amount corrected")

    statement = rep.statements.get(period="month", start=JAN)
    lines = statement.lines.order_by("position").values_list("kind", "deal__name", "amount")
    assert list(lines) == [
        ("commission", "Acme", Decimal("100.00")),
        ("adjustment", "Acme", Decimal("200.00")),
    ]
