from datetime import date

import pytest

from tests.metrics.factories import ProductFactory, UserFactory

TODAY = date(2017, 3, 15)


@pytest.fixture
def idle_rep(manager):
    """A third rep, in Mia's team, who has no deals at all."""
    return UserFactory(
        username="idle", first_name="Ida", last_name="Idle", manager=manager,
        team=manager.managed_teams.get(),
    )  # fmt: skip


@pytest.fixture
def recurring(db):
    return ProductFactory(name="Cloud plan", billing="recurring")


@pytest.fixture
def one_time(db):
    return ProductFactory(name="Appliance", billing="one_time")
