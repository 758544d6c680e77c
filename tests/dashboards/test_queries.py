"""A page makes the same number of SQL queries for two reps or eight, and few of them."""

import pytest

from tests.dashboards.conftest import MARCH, grow

pytestmark = pytest.mark.django_db

# The most queries each page may make (the measured count, plus a little room).
BUDGET = {
    ("rep", "/dashboards/rep/"): 36,  # measured 32: with deal scores and comment sentiment
    ("rep", "/dashboards/rows/deals/"): 8,  # 5
    ("manager", "/dashboards/team/"): 45,  # 39
    ("manager", "/dashboards/rep/"): 55,  # 48: the reporting tree is walked per level
    ("executive", "/dashboards/company/"): 80,  # 76: a year-ago territory panel, spend, stage moves
    ("admin", "/dashboards/data-health/"): 20,  # 16
}


def count(client, django_assert_max_num_queries, user, url: str, budget: int) -> int:
    client.force_login(user)
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url, MARCH)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("who", "url"), list(BUDGET))
def test_queries_do_not_grow_with_reps_or_deals(
    client, django_assert_max_num_queries, book, stages, territory, product, who, url
):
    user = book[who]
    budget = BUDGET[(who, url)]
    small = count(client, django_assert_max_num_queries, user, url, budget)
    grow(stages, book["manager"], 6, territory, product)
    large = count(client, django_assert_max_num_queries, user, url, budget)
    assert large == small
