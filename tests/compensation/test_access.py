"""Pay is private: each role sees exactly its scope of statements on every surface."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

import access
from compensation.models import DealCredit, Statement, StatementLine
from compensation.services import statements_close
from tests.compensation.conftest import JAN, NOW, assign, won_deal
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def statements(stages, rep, other_rep, admin_user, plan) -> dict[str, Statement]:
    for who, amount in ((rep, "1111"), (other_rep, "9999")):
        assign(who, plan)
        won_deal(stages, who, amount, date(2026, 1, 5), name=f"{who.username} deal")
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    return {s.rep.username: s for s in Statement.objects.select_related("rep")}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_rep_sees_only_their_own_statement_page_and_csv(client, statements, rep):
    mine, theirs = statements["rep"], statements["other_rep"]
    client.force_login(rep)

    listing = client.get("/compensation/statements/")
    page = client.get(f"/compensation/statements/{mine.pk}/")
    csv = client.get(f"/compensation/statements/{mine.pk}/csv/")
    forged_page = client.get(f"/compensation/statements/{theirs.pk}/")
    forged_csv = client.get(f"/compensation/statements/{theirs.pk}/csv/")

    assert listing.status_code == page.status_code == csv.status_code == 200
    assert b"rep deal" in page.content and b"111.10" in page.content
    assert b"other_rep" not in listing.content and b"Olga" not in listing.content
    assert csv["Content-Type"].startswith("text/csv")
    written = csv.getvalue()
    assert b"rep deal" in written and b"111.10" in written
    for forged in (forged_page, forged_csv):
        assert forged.status_code == 404
        assert b"9999" not in forged.content and b"999.90" not in forged.content


def test_a_rep_sees_only_their_own_statement_in_the_api(statements, rep):
    mine, theirs = statements["rep"], statements["other_rep"]
    client = api(rep)

    listed = client.get("/api/v1/statements/").json()
    detail = client.get(f"/api/v1/statements/{mine.pk}/").json()
    forged = client.get(f"/api/v1/statements/{theirs.pk}/")
    lines = client.get("/api/v1/statement-lines/").json()
    forged_line = client.get(f"/api/v1/statement-lines/{theirs.lines.get().pk}/")

    assert [s["id"] for s in listed["results"]] == [mine.pk]
    assert [line["amount"] for line in detail["lines"]] == ["111.10"]
    assert {line["statement"] for line in lines["results"]} == {mine.pk}
    for response in (forged, forged_line):
        assert response.status_code == 404
        assert "999" not in response.content.decode()


def test_filtering_by_another_rep_returns_nothing(statements, rep, other_rep):
    listed = api(rep).get(f"/api/v1/statements/?rep={other_rep.pk}").json()

    assert listed["count"] == 0


def test_managers_see_their_tree_executives_and_admins_everything(
    statements, manager, other_manager, executive, admin_user
):
    def names(user) -> set[str]:
        return set(access.visible_statements(user).values_list("rep__username", flat=True))

    assert names(manager) == {"rep"}
    assert names(other_manager) == {"other_rep"}
    assert names(executive) == names(admin_user) == {"rep", "other_rep"}
    assert access.visible_statement_lines(manager).count() == 1
    assert api(executive).get("/api/v1/statements/").json()["count"] == 2


def test_disputes_follow_the_statement_scope(statements, rep, other_rep):
    theirs = statements["other_rep"]
    line = theirs.lines.get()
    body = {"statement": theirs.pk, "line": line.pk, "kind": "wrong_amount", "expected": "1",
            "actual": "0"}  # fmt: skip

    refused = api(rep).post("/api/v1/disputes/", body, format="json")
    made = api(other_rep).post("/api/v1/disputes/", body, format="json")

    assert refused.status_code == 400  # the statement does not exist for this rep
    assert made.status_code == 201, made.json()
    assert api(rep).get("/api/v1/disputes/").json()["count"] == 0
    assert api(rep).get(f"/api/v1/disputes/{made.json()['id']}/").status_code == 404


def test_a_manager_cannot_dispute_their_reps_statement(statements, manager):
    mine = statements["rep"]
    body = {"statement": mine.pk, "kind": "missing_deal", "expected": "5", "actual": "0"}

    response = api(manager).post("/api/v1/disputes/", body, format="json")

    assert response.status_code == 403


def test_payout_previews_show_only_the_pay_you_may_see(stages, statements, rep, other_rep):
    deal = DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal("2000"))
    DealCredit.objects.create(deal=deal, rep=rep, percent=Decimal(50))
    DealCredit.objects.create(deal=deal, rep=other_rep, percent=Decimal(50))

    mine = api(rep).get(f"/api/v1/deal-payouts/{deal.pk}/").json()
    forged = api(other_rep).get(f"/api/v1/deal-payouts/{deal.pk}/")

    assert [p["rep"] for p in mine["previews"]] == [rep.pk]
    assert forged.status_code == 404  # the deal is not in their scope


def test_no_statement_for_anonymous_or_inactive_people(client, statements, rep):
    assert client.get("/compensation/statements/").status_code == 302
    assert APIClient().get("/api/v1/statements/").status_code in (401, 403)
    rep.is_active = False
    assert not access.visible_statements(rep).exists()
    assert StatementLine.objects.count() == 2


def test_a_manager_reads_their_reps_statement_page_and_csv_but_not_another_tree(
    client, statements, manager
):
    mine, theirs = statements["rep"], statements["other_rep"]
    client.force_login(manager)

    listing = client.get("/compensation/statements/")
    csv = client.get(f"/compensation/statements/{mine.pk}/csv/")

    assert listing.status_code == csv.status_code == 200
    assert b"Rita" in listing.content and b"Olga" not in listing.content
    assert b"111.10" in csv.getvalue()
    assert client.get(f"/compensation/statements/{theirs.pk}/").status_code == 404
    assert client.get(f"/compensation/statements/{theirs.pk}/csv/").status_code == 404
