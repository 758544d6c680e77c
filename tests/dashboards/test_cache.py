"""A kept dashboard is the viewer's own, and a write to the data is seen at the next request."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dashboards.conftest import MARCH
from tests.factories import DealFactory

# Real commits: the data version moves on when a write commits, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cached(settings):
    settings.PACER_DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_a_kept_page_is_cheaper_and_the_same(client, book, cached):
    client.force_login(book["manager"])
    with CaptureQueriesContext(connection) as cold:
        first = client.get("/dashboards/team/", MARCH).content
    with CaptureQueriesContext(connection) as warm:
        again = client.get("/dashboards/team/", MARCH).content
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", again) == token.sub(b"", first)
    # Left on a hit: the session, the filters, the scope bar's choices and the data version.
    assert len(warm) < len(cold) / 2


def test_viewers_never_share_a_kept_page(client, book, cached):
    client.force_login(book["manager"])
    assert "1,200.25" in client.get("/dashboards/rep/", MARCH).content.decode()
    client.force_login(book["rep"])
    html = client.get("/dashboards/rep/", MARCH).content.decode()
    assert "1,200.25" not in html and "200.25" in html


def test_a_new_deal_shows_at_the_next_request(client, book, stages, cached):
    client.force_login(book["rep"])
    assert "200.25" in client.get("/dashboards/rep/", MARCH).content.decode()
    DealFactory(
        owner=book["rep"],
        stage=stages["Won"],
        amount=Decimal("1000"),
        created_on=date(2026, 3, 1),
        closed_on=date(2026, 3, 2),
    )
    assert "1,200.25" in client.get("/dashboards/rep/", MARCH).content.decode()


def test_a_new_manager_sees_the_new_scope_at_once(client, book, cached):
    manager, other = book["manager"], book["other_rep"]
    client.force_login(manager)
    assert "Olga" not in client.get("/dashboards/team/", MARCH).content.decode()
    other.manager = manager
    other.save()
    assert "Olga" in client.get("/dashboards/team/", MARCH).content.decode()


def test_a_manager_s_page_reads_the_reporting_tree_once(client, book, settings):
    settings.PACER_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(book["manager"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/dashboards/team/", MARCH)
    assert response.status_code == 200
    trees = [q["sql"] for q in captured.captured_queries if "WITH RECURSIVE tree" in q["sql"]]
    assert len(trees) == 1
    assert len(captured) > 10  # the page itself still reads what it shows
