"""A total is data too: what a user sees summed equals the sum of the rows they may list."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.factories import DealFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(stages, rep, other_rep, manager):
    deep = UserFactory(username="deep", manager=rep)
    won = {"stage": stages["Won"], "closed_on": date(2026, 3, 1)}
    for owner, amount in [
        (rep, "120.25"),
        (rep, "80"),
        (deep, "1000"),
        (manager, "7"),
        (other_rep, "50000"),
    ]:
        DealFactory(owner=owner, amount=Decimal(amount), **won)
    DealFactory(owner=rep, amount=Decimal("333"), stage=stages["Proposal"])


def home_won(client) -> Decimal:
    html = client.get("/overview/").content.decode()
    match = re.search(r"<dt>Won revenue</dt><dd>([\d,.]+) USD</dd>", html)
    return Decimal(match.group(1).replace(",", ""))


def api_won(user) -> tuple[Decimal, Decimal]:
    client = APIClient()
    client.force_authenticate(user)
    listed = client.get("/api/v1/deals/", {"status": "won", "page_size": 500}).json()["results"]
    exported = client.get("/api/v1/deals/export/", {"status": "won"})
    rows = csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode()))
    return (sum(Decimal(d["amount"]) for d in listed), sum(Decimal(r["amount"]) for r in rows))


@pytest.mark.parametrize(
    ("who", "expected"), [("rep", "200.25"), ("manager", "1207.25"), ("executive", "51207.25")]
)
def test_home_total_equals_the_api_and_export_rows(client, book, request, who, expected):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert home_won(client) == Decimal(expected)
    assert api_won(user) == (Decimal(expected), Decimal(expected))
