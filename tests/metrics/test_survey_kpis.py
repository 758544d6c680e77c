"""CSAT and NPS, hand-computed."""

from datetime import date
from decimal import Decimal

import pytest

from core.periods import Period
from metrics.scope import Scope
from metrics.service import kpi_panel
from tests.metrics.conftest import TODAY
from tests.metrics.factories import AccountFactory, SurveyFactory

pytestmark = pytest.mark.django_db

JANUARY = Period(date(2017, 1, 1), date(2017, 2, 1))


def answers(account, kind: str, *scores: int, on: date = date(2017, 1, 10)) -> None:
    for score in scores:
        SurveyFactory(account=account, kind=kind, score=score, responded_on=on)


def total() -> dict:
    return kpi_panel(Scope.everything(), JANUARY, today=TODAY).total


def test_csat_is_the_share_of_fours_and_fives(rep):
    answers(AccountFactory(owner=rep), "csat", 5, 4, 3, 1)
    assert (total()["csat"], total()["csat_responses"]) == (50, 4)


def test_nps_is_promoters_minus_detractors(rep):
    account = AccountFactory(owner=rep)
    answers(account, "nps", 10, 9, 8, 6, 0)
    assert (total()["nps"], total()["nps_responses"]) == (0, 5)
    answers(account, "nps", 10)
    assert total()["nps"] == Decimal(100) / 6  # 3 promoters, 2 detractors of 6


def test_no_answers_means_no_score(rep):
    answers(AccountFactory(owner=rep), "csat", 5, on=date(2017, 2, 1))  # after the period
    assert (total()["csat"], total()["csat_responses"], total()["nps"]) == (None, 0, None)


def test_scores_per_account_owner_and_none_per_product(rep, other_rep):
    answers(AccountFactory(owner=rep), "csat", 5, 5)
    answers(AccountFactory(owner=other_rep), "csat", 2)
    panel = kpi_panel(Scope.everything(), JANUARY, "rep", today=TODAY)
    reps = {group.key: group.values for group in panel.groups}
    assert (reps["Rita Rep"]["csat"], reps["Olga Rep"]["csat"]) == (100, 0)
    by_product = kpi_panel(Scope.everything(), JANUARY, "product", today=TODAY)
    assert by_product.total["csat"] == Decimal(200) / 3
    assert all(group.values["csat"] is None for group in by_product.groups)
