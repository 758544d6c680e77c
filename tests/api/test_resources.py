from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from org.models import ApiToken
from org.services import api_token_create, api_token_revoke
from pipeline.models import Activity, DealChange
from quotas.models import Quota
from territories.models import Territory
from tests.factories import AccountFactory, DealFactory

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def book(stages, rep, other_rep):
    """Three deals for the rep, one for another team's rep."""
    mine = AccountFactory(name="Mine Inc", owner=rep)
    deals = [
        DealFactory(
            name="A",
            owner=rep,
            account=mine,
            stage=stages["Prospecting"],
            amount=Decimal("100"),
            created_on=date(2026, 1, 10),
        ),
        DealFactory(
            name="B",
            owner=rep,
            account=mine,
            stage=stages["Proposal"],
            amount=Decimal("250"),
            created_on=date(2026, 2, 10),
        ),
        DealFactory(
            name="C",
            owner=rep,
            stage=stages["Won"],
            amount=Decimal("900"),
            created_on=date(2026, 1, 5),
            closed_on=date(2026, 3, 1),
        ),
    ]
    theirs = DealFactory(
        name="X",
        owner=other_rep,
        account=AccountFactory(owner=other_rep),
        stage=stages["Negotiation"],
        amount=Decimal("5000"),
    )
    return {"mine": deals, "theirs": theirs}


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_rep_lists_only_their_deals(book, rep):
    response = api(rep).get("/api/v1/deals/", {"ordering": "name"})
    assert response.status_code == 200
    assert (response.json()["count"], names(response)) == (3, ["A", "B", "C"])


def test_manager_lists_their_tree_and_executive_everything(book, manager, executive):
    assert api(manager).get("/api/v1/deals/").json()["count"] == 3
    assert api(executive).get("/api/v1/deals/").json()["count"] == 4


@pytest.mark.parametrize("path", ["deals", "accounts", "users", "quotas", "activities"])
def test_forged_ids_from_another_scope_are_404_with_no_data(book, rep, other_rep, path):
    Activity.objects.create(rep=other_rep, kind="call", occurred_at="2026-03-02T10:00:00Z")
    Quota.objects.create(
        rep=other_rep,
        period="month",
        start=date(2026, 3, 1),
        metric="bookings",
        amount=Decimal("700"),
    )
    target = {
        "deals": book["theirs"].pk,
        "accounts": book["theirs"].account_id,
        "users": other_rep.pk,
        "quotas": Quota.objects.get().pk,
        "activities": Activity.objects.get().pk,
    }[path]
    for method in ("get", "patch", "delete"):
        response = getattr(api(rep), method)(f"/api/v1/{path}/{target}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No " + response.json()["detail"][3:]}
        assert "X" not in response.content.decode() and "5000" not in response.content.decode()


def test_deal_detail_carries_its_history(book, rep):
    deal = book["mine"][1]
    body = api(rep).get(f"/api/v1/deals/{deal.pk}/").json()
    assert [(h["changed_fields"], h["amount"]) for h in body["history"]] == [("created", "250.00")]


def test_filters_by_stage_amount_and_dates(book, rep, stages):
    client = api(rep)
    by_stage = client.get("/api/v1/deals/", {"stage": stages["Proposal"].pk})
    assert names(by_stage) == ["B"]
    by_amount = client.get(
        "/api/v1/deals/", {"amount_min": "200", "amount_max": "1000", "ordering": "amount"}
    )
    assert names(by_amount) == ["B", "C"]
    by_date = client.get(
        "/api/v1/deals/", {"created_from": "2026-01-06", "created_to": "2026-01-31"}
    )
    assert names(by_date) == ["A"]
    assert names(client.get("/api/v1/deals/", {"search": "Mine"})) == ["B", "A"]


def test_unknown_filters_and_bad_values_are_400(book, rep):
    client = api(rep)
    unknown = client.get("/api/v1/deals/", {"colour": "red"})
    assert unknown.status_code == 400
    assert unknown.json()["colour"][0].startswith("Unknown filter. Use one of:")
    bad_status = client.get("/api/v1/deals/", {"status": "maybe"})
    assert bad_status.status_code == 400 and "status" in bad_status.json()
    bad_date = client.get("/api/v1/deals/", {"created_from": "last tuesday"})
    assert bad_date.status_code == 400 and "created_from" in bad_date.json()


def test_rep_moves_their_deal_and_history_records_who(book, rep, stages):
    deal = book["mine"][0]
    response = api(rep).patch(
        f"/api/v1/deals/{deal.pk}/", {"stage": stages["Negotiation"].pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["forecast_category"]) == ("open", "commit")
    change = DealChange.objects.filter(deal=deal).latest("id")
    assert (change.changed_by, change.stage) == (rep, stages["Negotiation"])


def test_executives_read_but_do_not_write_deals(book, executive):
    deal = book["theirs"]
    response = api(executive).patch(f"/api/v1/deals/{deal.pk}/", {"amount": "1"}, format="json")
    assert response.status_code == 403
    deal.refresh_from_db()
    assert deal.amount == Decimal("5000.00")


def test_deal_validation_gives_a_message_per_field(book, rep, other_rep, stages):
    client = api(rep)
    base = {"name": "New", "stage": stages["Prospecting"].pk, "created_on": "2026-03-01"}
    negative = client.post("/api/v1/deals/", {**base, "amount": "-5"}, format="json")
    assert negative.status_code == 400
    assert negative.json() == {"amount": ["A deal amount cannot be negative."]}
    won_open = client.post("/api/v1/deals/", {**base, "stage": stages["Won"].pk}, format="json")
    assert won_open.status_code == 400
    assert "needs a closed date" in str(won_open.json())
    foreign = client.post("/api/v1/deals/", {**base, "owner": other_rep.pk}, format="json")
    assert foreign.status_code == 400 and "owner" in foreign.json()
    unknown_stage = client.post("/api/v1/deals/", {**base, "stage": 9999}, format="json")
    assert unknown_stage.status_code == 400 and "stage" in unknown_stage.json()
    assert client.get("/api/v1/deals/").json()["count"] == 3


def test_rep_logs_activities_for_themselves_only(rep, other_rep):
    client = api(rep)
    entry = {"kind": "call", "occurred_at": "2026-03-02T10:00:00Z", "outcome": "Booked demo"}
    assert (
        client.post("/api/v1/activities/", {**entry, "rep": rep.pk}, format="json").status_code
        == 201
    )
    refused = client.post("/api/v1/activities/", {**entry, "rep": other_rep.pk}, format="json")
    assert refused.status_code == 400
    assert Activity.objects.count() == 1


def test_only_admins_manage_territories(rep, admin_user):
    region = {"name": "West", "kind": "region"}
    assert api(rep).post("/api/v1/territories/", region, format="json").status_code == 403
    created = api(admin_user).post("/api/v1/territories/", region, format="json")
    assert created.status_code == 201
    child = {"name": "Pacific", "kind": "area", "parent": created.json()["id"]}
    api(admin_user).post("/api/v1/territories/", child, format="json")
    tree = api(rep).get("/api/v1/territories/tree/").json()
    assert tree == [
        {
            "id": created.json()["id"],
            "name": "West",
            "kind": "region",
            "children": [
                {
                    "id": Territory.objects.get(name="Pacific").pk,
                    "name": "Pacific",
                    "kind": "area",
                    "children": [],
                }
            ],
        }
    ]


def test_deleting_an_account_in_use_is_a_clear_conflict(book, admin_user):
    account = book["mine"][0].account
    response = api(admin_user).delete(f"/api/v1/accounts/{account.pk}/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This account is still in use by 2 deals: remove or move those first."
    }


def test_page_size_is_capped(book, admin_user):
    body = api(admin_user).get("/api/v1/deals/", {"page_size": 10_000}).json()
    assert body["count"] == 4 and len(body["results"]) == 4
    assert api(admin_user).get("/api/v1/deals/", {"page_size": 2}).json()["next"]


def test_list_queries_do_not_grow_with_page_size(stages, rep, django_assert_max_num_queries):
    for i in range(60):
        DealFactory(name=f"D{i}", owner=rep, stage=stages["Prospecting"])
    client = api(rep)
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/deals/", {"page_size": 5}).json()["results"]) == 5
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/deals/", {"page_size": 60}).json()["results"]) == 60


def test_tokens_authenticate_are_hashed_and_revocable(book, rep):
    token, key = api_token_create(user=rep, name="BI sync")
    assert key not in str(list(ApiToken.objects.values_list()))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/deals/").json()["count"] == 3
    api_token_revoke(token=token)
    revoked = client.get("/api/v1/deals/")
    assert (revoked.status_code, revoked.json()) == (401, {"detail": "Unknown or revoked token."})


def test_anonymous_callers_are_refused(book):
    assert APIClient().get("/api/v1/deals/").status_code in (401, 403)


def test_activity_moments_with_any_offset_are_compared_in_utc(rep):
    Activity.objects.create(rep=rep, kind="call", occurred_at="2026-03-02T10:00:00Z")
    client = api(rep)

    def count(**params) -> int | dict:
        response = client.get("/api/v1/activities/", params)
        return response.json()["count"] if response.status_code == 200 else response.json()

    # PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 and Python accept.
    assert count(occurred_from="2026-03-02T05:00:00-05:00") == 1
    assert count(occurred_from="2026-03-02T05:01:00-05:00") == 0
    assert count(occurred_to="2026-03-03T05:39:00+19:38") == 1
    assert count(occurred_to="2026-03-03T05:38:00+19:38") == 0
    assert count(occurred_from="9999-12-31T23:00:00-05:00") == {"occurred_from": ["Out of range."]}
