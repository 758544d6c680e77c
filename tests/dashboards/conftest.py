"""A small sales book in two teams, dated in March 2026 (filters pass `on`, so the real date
does not matter), and a way to grow it to show a page's query count does not."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from org.models import Role
from pipeline.models import Activity, Subscription, SurveyResponse
from quotas.models import Quota
from territories.models import Territory
from tests.factories import AccountFactory, DealFactory, ProductFactory, UserFactory

ON = date(2026, 3, 10)
MARCH = {"period": "month", "on": ON.isoformat()}


@pytest.fixture(autouse=True)
def no_dashboard_cache(settings):
    """Each request computes its page; the cache has its own tests."""
    settings.PACER_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def territory(db):
    region = Territory.objects.create(name="East", kind="region")
    return Territory.objects.create(name="Boston", kind="territory", parent=region)


@pytest.fixture
def product(db):
    return ProductFactory(name="Cloud plan", billing="recurring")


def book_for(rep, stages, territory=None, product=None, amounts=("120.25", "80")) -> None:
    """Won, lost and open deals, activities, a quota, a subscription and a survey answer."""
    account = AccountFactory(owner=rep, territory=territory, segment="smb")
    common = {"owner": rep, "account": account, "territory": territory, "product": product}
    for amount in amounts:
        DealFactory(
            stage=stages["Won"],
            amount=Decimal(amount),
            created_on=date(2026, 2, 1),
            closed_on=date(2026, 3, 3),
            **common,
        )
    DealFactory(
        stage=stages["Lost"],
        amount=Decimal("55"),
        created_on=date(2026, 2, 1),
        closed_on=date(2026, 3, 4),
        lost_reason="Price",
        **common,
    )
    DealFactory(
        stage=stages["Proposal"],
        amount=Decimal("333"),
        created_on=date(2026, 3, 1),
        expected_close_on=date(2026, 3, 28),
        **common,
    )
    DealFactory(
        stage=stages["Negotiation"],
        amount=Decimal("1000"),
        created_on=date(2026, 1, 5),
        expected_close_on=date(2026, 4, 20),
        **common,
    )
    for day, kind in [(9, "call"), (9, "call"), (10, "appointment"), (11, "quote"), (2, "call")]:
        Activity.objects.create(
            rep=rep, kind=kind, account=account, occurred_at=datetime(2026, 3, day, 15, tzinfo=UTC)
        )
    Quota.objects.create(
        rep=rep, period="month", start=date(2026, 3, 1), metric="bookings", amount=Decimal("1000")
    )
    Subscription.objects.create(
        account=account, product=product, mrr=Decimal("99.50"), start=date(2026, 1, 1)
    )
    SurveyResponse.objects.create(
        account=account, kind="nps", score=9, responded_on=date(2026, 3, 5)
    )


@pytest.fixture
def book(stages, rep, other_rep, manager, executive, admin_user, territory, product):
    deep = UserFactory(
        username="deep",
        first_name="Dee",
        last_name="Deep",
        manager=manager,
        team=manager.managed_teams.get(),
    )
    book_for(rep, stages, territory, product)
    book_for(deep, stages, amounts=("1000",))
    book_for(other_rep, stages, amounts=("50000",))
    return {
        "rep": rep,
        "deep": deep,
        "other_rep": other_rep,
        "manager": manager,
        "executive": executive,
        "admin": admin_user,
    }


def grow(stages, manager, count: int, territory=None, product=None) -> None:
    """`count` more reps in the manager's team, each with a full book."""
    team = manager.managed_teams.get()
    for _ in range(count):
        rep = UserFactory(role=Role.REP, manager=manager, team=team)
        book_for(rep, stages, territory, product, amounts=("10", "20", "30"))
