from datetime import date

import pytest

from tests.clock import TODAY
from tests.factories import TerritoryFactory

LAST_YEAR = date(TODAY.year - 1, 1, 1)


@pytest.fixture
def north(db):
    return TerritoryFactory(name="North")


@pytest.fixture
def south(db):
    return TerritoryFactory(name="South")
