"""A team of three reps (Adams, Baker and Rita Rep, in name order) and won deals for history."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import DealFactory, UserFactory

JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


@pytest.fixture(autouse=True)
def calendar_fiscal_year(settings):
    settings.FISCAL_YEAR_START_MONTH = 1


@pytest.fixture
def team(rep):
    return rep.team


@pytest.fixture
def adams(team, manager):
    return UserFactory(username="adams", first_name="Al", last_name="Adams", team=team,
                       manager=manager)  # fmt: skip


@pytest.fixture
def baker(team, manager):
    return UserFactory(username="baker", first_name="Bo", last_name="Baker", team=team,
                       manager=manager)  # fmt: skip


@pytest.fixture
def members(adams, baker, rep):
    return [adams, baker, rep]


def won(stages, owner, amount: str, closed_on: date, **fields):
    return DealFactory(
        owner=owner, stage=stages["Won"], amount=Decimal(amount),
        created_on=date(2023, 1, 1), closed_on=closed_on, **fields,
    )  # fmt: skip
