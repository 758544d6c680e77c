"""The quota planning pages: admins write, managers read their tree, reps are refused."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from quotas.models import Quota
from tests.quotas.conftest import JAN

pytestmark = pytest.mark.django_db
D = Decimal
Q1 = {"period": "quarter", "start": "2026-01-01", "metric": "bookings"}


@pytest.fixture
def planned(team, members, other_rep):
    def quota(amount, **assignee):
        Quota.objects.create(period="quarter", start=JAN, metric="bookings", amount=amount,
                             **assignee)  # fmt: skip

    quota(300000, team=team)
    for person, amount in zip(members, (120000, 100000, 110000), strict=True):
        quota(amount, rep=person)
    quota(77777, rep=other_rep)
    return team


def test_an_admin_sees_the_grid_with_roll_ups_and_the_gap(client, admin_user, planned):
    client.force_login(admin_user)

    page = client.get("/quotas/plan/", Q1)

    assert page.status_code == 200
    body = page.content.decode()
    assert "Mia&#x27;s team" in body and "330,000.00 USD" in body and "-30,000.00 USD" in body
    assert 'name="rep-' in body and "77777" in body  # the other team, all of it editable


def test_a_manager_reads_only_their_tree_and_cannot_write(client, manager, planned):
    client.force_login(manager)

    page = client.get("/quotas/plan/", Q1)
    posted = client.post("/quotas/plan/", {**Q1, f"team-{planned.pk}": "1"})

    assert page.status_code == 200
    body = page.content.decode()
    assert "330,000.00 USD" in body and "77,777" not in body and "Otto" not in body
    assert 'name="rep-' not in body  # read-only
    assert posted.status_code == 403
    assert Quota.objects.get(team=planned).amount == D(300000)


def test_reps_and_strangers_are_refused_every_planning_page(client, rep, planned):
    for url in ("/quotas/plan/", "/quotas/allocate/", "/quotas/upload/"):
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(rep)
    for url in ("/quotas/plan/", "/quotas/allocate/", "/quotas/upload/"):
        assert client.get(url).status_code == 403


def test_an_admin_saves_the_grid_all_or_nothing(client, admin_user, planned, members):
    client.force_login(admin_user)
    adams, baker, _ = members

    refused = client.post("/quotas/plan/", {**Q1, f"rep-{adams.pk}": "125000",
                                            f"rep-{baker.pk}": "lots"})  # fmt: skip
    saved = client.post("/quotas/plan/", {**Q1, f"rep-{adams.pk}": "125000",
                                          f"team-{planned.pk}": "335000"})  # fmt: skip

    assert refused.status_code == 200
    assert "Bo Baker: &#x27;lots&#x27; is not a number." in refused.content.decode()
    assert saved.status_code == 302
    assert Quota.objects.get(rep=adams).amount == D(125000)
    assert Quota.objects.get(team=planned).amount == D(335000)


def test_an_admin_previews_then_applies_an_allocation(client, admin_user, team, members):
    client.force_login(admin_user)
    form = {**Q1, "assignee": f"team:{team.pk}", "total": "90000", "method": "even",
            "over_assign": "0", "seasonality": "1,1,1,1,1,1,1,1,1,1,1,1"}  # fmt: skip

    preview = client.post("/quotas/allocate/", {**form, "preview": ""})
    assert not Quota.objects.exists()
    applied = client.post("/quotas/allocate/", {**form, "apply": ""})

    assert preview.status_code == 200
    body = preview.content.decode()
    assert "10,000.00 USD" in body and "30,000.00 USD" in body and "Even split" in body
    assert applied.status_code == 302
    assert Quota.objects.get(team=team).amount == D(90000)
    assert Quota.objects.filter(period="month").count() == 9


def test_an_allocation_that_cannot_be_made_says_why(client, admin_user, team, members):
    client.force_login(admin_user)
    form = {**Q1, "assignee": f"team:{team.pk}", "total": "90000", "method": "prior_year",
            "over_assign": "0", "seasonality": "1,2,3"}  # fmt: skip

    page = client.post("/quotas/allocate/", {**form, "apply": ""})

    assert page.status_code == 200
    assert "Give twelve weights, not 3." in page.content.decode()
    assert not Quota.objects.exists()


def test_an_admin_uploads_a_csv_file_and_sees_every_bad_row(client, admin_user, members):
    client.force_login(admin_user)
    good = b"assignee_type,assignee,amount\nrep,adams,100\nrep,baker,200\n"
    bad = b"assignee_type,assignee,amount\nrep,adams,100\nrep,nobody,200\nrep,baker,-1\n"

    refused = client.post("/quotas/upload/", {**Q1, "file": SimpleUploadedFile("q.csv", bad)})
    saved = client.post("/quotas/upload/", {**Q1, "file": SimpleUploadedFile("q.csv", good)})

    body = refused.content.decode()
    assert refused.status_code == 200
    assert "No rep named &#x27;nobody&#x27;." in body and "Bo Baker: A quota is" in body
    assert saved.status_code == 302
    assert sorted(Quota.objects.values_list("amount", flat=True)) == [D(100), D(200)]


def test_the_preview_fills_in_the_learned_seasonality_to_edit(client, admin_user, team, members):
    client.force_login(admin_user)
    form = {**Q1, "assignee": f"team:{team.pk}", "total": "300", "method": "even",
            "over_assign": "0", "seasonality": ""}  # fmt: skip

    page = client.post("/quotas/allocate/", {**form, "preview": ""})

    # No history: even shares of 100 %, the four leftover cents on January to April.
    assert 'value="8.34, 8.34, 8.34, 8.34, 8.33, 8.33' in page.content.decode()


def test_the_plan_shows_one_team_or_the_territories_and_pages_the_rest(
    client, admin_user, planned, settings
):
    from pages import quotas as page_module
    from tests.factories import TeamFactory, TerritoryFactory

    client.force_login(admin_user)
    for n in range(12):
        TeamFactory(name=f"Zeta {n:02}")
    TerritoryFactory(name="Boston")

    def grid(**params) -> str:
        body = client.get("/quotas/plan/", {**Q1, **params}).content.decode()
        return body[body.index("teams and territories") - 4 :]  # after the form's choices

    one = grid(show=f"team-{planned.pk}")
    assert "Mia&#x27;s team" in one and "Zeta" not in one and "Boston" not in one
    assert "1 teams and territories" in one
    places = grid(show="territories")
    assert "Boston" in places and "Zeta" not in places
    first = grid()
    assert page_module.GROUPS_PER_PAGE == 10
    assert "Page 1 of 2" in first and "Zeta 11" not in first
    second = grid(page="2")
    assert "Zeta 11" in second and "Boston" in second
    csv = b"".join(client.get("/quotas/plan/", {**Q1, "format": "csv"}).streaming_content)
    assert b"Zeta 11" in csv and b"Boston" in csv  # the file has every row
