"""Territory pages: admins change territories, executives read them, others are refused."""

from datetime import date

import pytest
from django.urls import reverse

from org.models import AuditEntry
from planning.models import AssignmentRule, IcpCriterion, TerritoryPlan
from territories.models import Territory
from tests.factories import AccountFactory
from tests.territories.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def europe(db):
    return Territory.objects.create(name="Europe", kind="region")


def test_an_admin_creates_renames_moves_and_closes_a_territory(client, admin_user, europe):
    client.force_login(admin_user)
    response = client.post(
        reverse("territories:territory-create"), {"name": "Paris", "kind": "territory"}
    )
    paris = Territory.objects.get(name="Paris")
    assert response.status_code == 302
    detail = reverse("territories:territory-detail", args=[paris.pk])
    assert b'method="post" action="/territories/' in client.get(detail).content
    client.post(detail, {"name": "Grand Paris", "kind": "territory", "parent": europe.pk})
    paris.refresh_from_db()
    assert (paris.name, paris.parent) == ("Grand Paris", europe)
    client.post(
        reverse("territories:territory-close", args=[europe.pk]), {"closed_on": "2030-01-01"}
    )
    assert set(Territory.objects.values_list("closed_on", flat=True)) == {date(2030, 1, 1)}
    assert AuditEntry.objects.filter(model="territories.Territory", actor=admin_user).count() == 4


def test_an_admin_adds_and_ends_a_rep_with_dates(client, admin_user, europe, rep):
    client.force_login(admin_user)
    add = reverse("territories:rep-add", args=[europe.pk])
    client.post(add, {"rep": rep.pk, "start": "2026-01-01", "capacity": 40})
    assignment = europe.assignments.get()
    assert (assignment.rep, assignment.start, assignment.end, assignment.capacity) == (
        rep, date(2026, 1, 1), None, 40,
    )  # fmt: skip
    response = client.post(add, {"rep": rep.pk, "start": "2026-03-01", "capacity": 40})
    assert response.status_code == 400 and b"already works" in response.content
    end = reverse("territories:rep-end", args=[europe.pk])
    client.post(end, {"assignment": assignment.pk, "end": "2026-06-30"})
    assignment.refresh_from_db()
    assert assignment.end == date(2026, 6, 30)


def test_bad_input_is_a_clear_error_and_changes_nothing(client, admin_user, europe):
    client.force_login(admin_user)
    detail = reverse("territories:territory-detail", args=[europe.pk])
    response = client.post(detail, {"name": "Europe", "kind": "region", "parent": europe.pk})
    assert response.status_code == 400
    assert Territory.objects.get().parent is None
    response = client.post(
        reverse("territories:territory-close", args=[europe.pk]), {"closed_on": "soon"}
    )
    assert response.status_code == 400 and b"Enter a valid date" in response.content
    assert Territory.objects.get().closed_on is None


def test_an_executive_reads_every_page_but_changes_nothing(client, executive, europe):
    client.force_login(executive)
    pages = ["territory-list", "rule-list", "balance", "segments"]
    for name in pages:
        response = client.get(reverse(f"territories:{name}"))
        assert response.status_code == 200, name
        assert b'method="post" action="/territories/' not in response.content, name
    assert client.get(reverse("territories:territory-detail", args=[europe.pk])).status_code == 200
    writes = [
        reverse("territories:territory-detail", args=[europe.pk]),
        reverse("territories:territory-close", args=[europe.pk]),
        reverse("territories:rep-add", args=[europe.pk]),
        reverse("territories:rule-apply"),
        reverse("territories:balance-apply"),
        reverse("territories:tiers-apply"),
    ]
    for url in writes:
        assert client.post(url, {"name": "Hacked", "kind": "region"}).status_code == 403, url
    assert client.get(reverse("territories:territory-create")).status_code == 403
    assert Territory.objects.get().name == "Europe"


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_reps_and_managers_are_refused(client, request, who, europe):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("territories:territory-list")).status_code == 403
    assert client.get(reverse("territories:balance")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("territories:territory-list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_admin_previews_then_applies_the_rules(client, admin_user, europe):
    AccountFactory(name="Lyon SA", country="France")
    AssignmentRule.objects.create(name="France", priority=1, countries="France", territory=europe)
    client.force_login(admin_user)
    page = client.get(reverse("territories:rule-list"))
    assert b"Lyon SA" in page.content and b"Preview: who would move (1)" in page.content
    client.post(reverse("territories:rule-apply"), {"on": TODAY.isoformat()})
    assert europe.accounts.get().name == "Lyon SA"
    detail = client.get(reverse("territories:territory-detail", args=[europe.pk])).content
    assert f"<td>Lyon SA</td><td>—</td><td>{TODAY.isoformat()}</td>".encode() in detail


def test_an_admin_edits_the_ideal_customer_weights(client, admin_user):
    client.force_login(admin_user)
    url = reverse("territories:icp-create")
    client.post(url, {"attribute": "industry", "values": "Software", "weight": 3})
    criterion = IcpCriterion.objects.get()
    client.post(
        reverse("territories:icp-edit", args=[criterion.pk]),
        {f"c{criterion.pk}-attribute": "industry", f"c{criterion.pk}-values": "Software",
         f"c{criterion.pk}-weight": 5},
    )  # fmt: skip
    criterion.refresh_from_db()
    assert criterion.weight == 5
    response = client.post(url, {"attribute": "country", "weight": 1})
    assert response.status_code == 400 and b"List the values" in response.content
    assert IcpCriterion.objects.count() == 1


def test_an_admin_drafts_compares_and_activates_a_plan(client, admin_user, executive, europe):
    account = AccountFactory(name="Lyon SA", annual_revenue=500)
    client.force_login(admin_user)
    client.post(reverse("territories:plan-list"), {"name": "Next year"})
    plan = TerritoryPlan.objects.get()
    detail = reverse("territories:plan-detail", args=[plan.pk])
    client.post(detail, {"account": account.pk, "territory": europe.pk})
    client.force_login(executive)
    page = client.get(detail)
    assert page.status_code == 200 and b"<td>Lyon SA</td>" in page.content
    assert client.post(reverse("territories:plan-activate", args=[plan.pk])).status_code == 403
    client.force_login(admin_user)
    activate = reverse("territories:plan-activate", args=[plan.pk])
    client.post(activate, {"on": TODAY.isoformat()})
    plan.refresh_from_db()
    assert (plan.status, europe.accounts.get()) == ("active", account)
