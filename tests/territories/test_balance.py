"""The balance report and its suggestion, on a constructed uneven book."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.periods import Period
from pipeline.models import Account, AccountAssignment, Deal
from planning.selectors.balance import (
    balance_report,
    balance_suggestion,
    imbalance_index,
    index_after,
)
from planning.services.balance import balance_apply
from quotas.models import Quota
from territories.models import TerritoryAssignment
from tests.factories import AccountFactory, DealFactory, TerritoryFactory, UserFactory
from tests.territories.conftest import TODAY

pytestmark = pytest.mark.django_db

YEAR = Period(date(TODAY.year, 1, 1), date(TODAY.year + 1, 1, 1))
START = date(TODAY.year - 1, 1, 1)


@pytest.fixture
def book(stages, rep, other_rep, north, south):
    """Rita (North) holds potential 100+80+60+40, Olga (South) 20, Carl works only a closed
    territory and holds nothing: loads 280, 20, 0."""
    old = TerritoryFactory(name="Old", closed_on=TODAY)
    carl = UserFactory(username="carl", first_name="Carl", last_name="Closed")
    for person, territory in ((rep, north), (other_rep, south), (carl, old)):
        TerritoryAssignment.objects.create(rep=person, territory=territory, start=START)
    for revenue in (100, 80, 60, 40):
        AccountFactory(name=f"R{revenue}", owner=rep, territory=north, annual_revenue=revenue)
    small = AccountFactory(name="O20", owner=other_rep, territory=south, annual_revenue=20)
    DealFactory(account=small, owner=other_rep, stage=stages["Proposal"], amount=Decimal(50))
    won = {"stage": stages["Won"], "created_on": START, "closed_on": date(TODAY.year, 1, 2)}
    DealFactory(account=small, owner=other_rep, amount=Decimal(30), **won)
    Quota.objects.create(rep=other_rep, period="year", start=YEAR.start, metric="bookings",
                         amount=Decimal(300))  # fmt: skip
    return {"old": old, "carl": carl}


def report():
    args = (Account.objects.all(), Deal.objects.all(), Quota.objects.all())
    return balance_report(*args, period=YEAR, on=TODAY)


def test_the_report_per_rep_and_per_territory(book, rep, other_rep):
    balance = report()
    rows = {load.name: load for load in balance.reps}
    olga = rows["Olga Rep"]
    assert (olga.accounts, olga.potential, olga.pipeline, olga.won) == (1, 20, 50, 30)
    assert (olga.quota, olga.capacity) == (Decimal(300), 100)
    rita = rows["Rita Rep"]
    assert (rita.accounts, rita.potential, rita.quota) == (4, 280, None)
    assert (rows["Carl Closed"].capacity, rows["Carl Closed"].potential) == (0, 0)
    places = {load.name: load for load in balance.territories}
    assert (places["North"].accounts, places["North"].potential) == (4, 280)
    assert (places["South"].pipeline, places["South"].won) == (50, 30)
    assert places["Old"].closed and places["Old"].accounts == 0
    # loads 280, 20, 0: mean 100, variance (180² + 80² + 100²) / 3
    assert balance.index == (Decimal(48800) / 3).sqrt() / 100
    assert round(balance.index, 4) == Decimal("1.2754")


def test_the_suggestion_lowers_the_index_and_never_uses_a_closed_territory(book, other_rep, south):
    before = report()
    moves = balance_suggestion(Account.objects.all(), before.reps)
    # 100 goes first (closest to half the 260 gap), then 40 (half of 180 - 120 is 30)
    assert [(m.account, m.owner_to, m.territory_to) for m in moves] == [
        ("R100", other_rep.pk, south.pk),
        ("R40", other_rep.pk, south.pk),
    ]
    assert all(move.territory_to != book["old"].pk for move in moves)
    assert AccountAssignment.objects.count() == 0  # a suggestion writes nothing
    applied = balance_apply(
        accounts=Account.objects.all(), deals=Deal.objects.all(), quotas=Quota.objects.all(),
        period=YEAR, on=TODAY, actor=None,
    )  # fmt: skip
    assert applied == moves
    after = report()
    # loads 140, 160, 0: variance (40² + 60² + 100²) / 3
    assert after.index == (Decimal(15200) / 3).sqrt() / 100
    assert after.index < before.index
    assert not Account.objects.filter(territory=book["old"]).exists()
    assert AccountAssignment.objects.filter(source="balance", end__isnull=True).count() == 2


def test_a_receiver_at_capacity_gets_nothing(book, other_rep):
    TerritoryAssignment.objects.filter(rep=other_rep).update(capacity=1)
    assert balance_suggestion(Account.objects.all(), report().reps) == []


def test_the_index_has_no_value_without_reps_or_potential():
    assert imbalance_index([]) is None
    assert imbalance_index([Decimal(0), Decimal(0)]) is None
    assert imbalance_index([Decimal(5), Decimal(5)]) == 0


def test_the_preview_states_the_index_after_the_moves(book):
    before = report()
    moves = balance_suggestion(Account.objects.all(), before.reps)
    assert index_after(Account.objects.all(), before.reps, moves) == (
        (Decimal(15200) / 3).sqrt() / 100
    )


def test_the_page_previews_and_an_admin_applies(client, admin_user, book, other_rep):
    client.force_login(admin_user)
    page = client.get(reverse("territories:balance"), {"on": TODAY.isoformat()})
    assert b"<td>R100</td>" in page.content and b"1.275" in page.content
    client.post(reverse("territories:balance-apply"), {"on": TODAY.isoformat()})
    moved = Account.objects.filter(owner=other_rep).values_list("name", flat=True)
    assert sorted(moved) == ["O20", "R100", "R40"]
    assert client.get(reverse("territories:balance"), {"on": "tomorrow"}).status_code == 400
