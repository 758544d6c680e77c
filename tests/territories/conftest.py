from datetime import date

import pytest
from django.utils import timezone

from tests.factories import TerritoryFactory

TODAY = timezone.localdate()
LAST_YEAR = date(TODAY.year - 1, 1, 1)


@pytest.fixture
def north(db):
    return TerritoryFactory(name="North")


@pytest.fixture
def south(db):
    return TerritoryFactory(name="South")
