"""After every kind of write, the next render of a kept page shows the new figure.

Each test renders the page (so a copy is kept), writes through one path, and renders again.
The March book: the rep won 120.25 and 80 (revenue 200.25), lost 55, has 333 and 1,000 open.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from imports.services import import_run_execute, import_run_start
from pipeline.locking import deal_recredit
from pipeline.models import Activity, Deal, Stage, Subscription
from territories.models import Territory
from tests.dashboards.conftest import MARCH

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def kept(settings):
    settings.PACER_DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def page(client, user, url="/dashboards/rep/") -> str:
    client.force_login(user)
    return client.get(url, MARCH).content.decode()


def board(html: str) -> str:
    """The page without what changes at every request (the form token, the script nonce)."""
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]+"', "", html)


def won(rep, amount: str) -> Deal:
    return Deal.objects.get(owner=rep, amount=Decimal(amount), status="won")


def test_a_saved_deal_shows(client, book):
    assert "200.25" in page(client, book["rep"])
    deal = won(book["rep"], "80")
    deal.amount = Decimal("1080")
    deal.save()
    assert "1,200.25" in page(client, book["rep"])


def test_a_queryset_update_shows(client, book):
    assert "200.25" in page(client, book["rep"])
    Deal.objects.filter(pk=won(book["rep"], "80").pk).update(amount=Decimal("1080"))
    assert "1,200.25" in page(client, book["rep"])


def test_a_deleted_deal_is_gone(client, book):
    assert "200.25" in page(client, book["rep"])
    won(book["rep"], "80").delete()
    html = page(client, book["rep"])
    assert "200.25" not in html and "120.25" in html


def test_an_import_shows(client, book, tmp_path):
    assert "200.25" in page(client, book["rep"])
    path = tmp_path / "deals.csv"
    path.write_text(
        "external_id,name,owner,stage,amount,created_on,close_date\n"
        "D-1,Imported,rep,Won,1000,2026-03-01,2026-03-05\n"
    )
    run = import_run_start(path=path, mapping="", kind="deals", dry_run=False)
    assert import_run_execute(run=run).created == 1
    assert "1,200.25" in page(client, book["rep"])


def test_a_recredited_deal_leaves_the_old_owner(client, book):
    assert "200.25" in page(client, book["rep"])
    deal = won(book["rep"], "80")
    deal_recredit(deal, to=book["deep"], by=book["admin"], reason="Split agreed in review")
    html = page(client, book["rep"])
    assert "200.25" not in html and "120.25" in html


def test_an_edited_subscription_shows(client, book):
    # Three reps' accounts pay 99.50 a month each: 298.50; the rep's now pays 150.75.
    assert "298.50" in page(client, book["executive"], "/dashboards/company/")
    Subscription.objects.filter(account__owner=book["rep"]).update(mrr=Decimal("150.75"))
    assert "349.75" in page(client, book["executive"], "/dashboards/company/")


def test_an_edited_activity_shows(client, book):
    before = board(page(client, book["rep"]))
    # Into the week the page shows: the one holding the last day of March.
    moved = datetime(2026, 3, 31, 15, tzinfo=UTC)
    Activity.objects.filter(rep=book["rep"], kind="quote").update(occurred_at=moved)
    assert board(page(client, book["rep"])) != before


def test_a_renamed_stage_shows(client, book):
    assert "Proposal" in page(client, book["rep"])
    Stage.objects.filter(name="Proposal").update(name="Offer out")
    html = page(client, book["rep"])
    assert "Offer out" in html and "Proposal" not in html


def test_a_renamed_territory_shows(client, book):
    assert "Boston" in page(client, book["executive"], "/dashboards/company/")
    Territory.objects.filter(name="Boston").update(name="Cambridge")
    html = page(client, book["executive"], "/dashboards/company/")
    assert "Cambridge" in html and "Boston" not in html


def test_a_renamed_rep_shows(client, book):
    assert "Dee Deep" in page(client, book["manager"], "/dashboards/team/")
    deep = book["deep"]
    deep.first_name = "Dora"
    deep.save()
    html = page(client, book["manager"], "/dashboards/team/")
    assert "Dora Deep" in html and "Dee Deep" not in html


def test_an_api_edit_shows(client, book):
    assert "200.25" in page(client, book["rep"])
    client.force_login(book["admin"])
    deal = won(book["rep"], "80")
    response = client.patch(
        f"/api/v1/deals/{deal.pk}/",
        {"amount": "1080.00", "reason": "Signed addendum"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert "1,200.25" in page(client, book["rep"])


def test_an_admin_edit_shows(client, book):
    assert "Proposal" in page(client, book["rep"])
    client.force_login(book["admin"])
    stage = Stage.objects.get(name="Proposal")
    fields = {name: getattr(stage, name) for name in ("order", "probability", "kind")}
    fields |= {"name": "Offer out", "forecast_category": stage.forecast_category}
    response = client.post(f"/admin/pipeline/stage/{stage.pk}/change/", fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    html = page(client, book["rep"])
    assert "Offer out" in html and "Proposal" not in html
