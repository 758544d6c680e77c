from datetime import date
from decimal import Decimal

import pytest
from django.http import QueryDict

from dashboards.coaching_gaps import coaching_gaps, team_of
from dashboards.filters import filters_from_query
from dashboards.manager import manager_dashboard
from dashboards.rep_lines import RepLine
from tests.clock import TODAY
from tests.factories import DealFactory, UserFactory


def line(name: str, won: int, lost: int, size: int = 10_000, calls: int = 200, cycle=30):
    values = {
        "revenue": Decimal(won * size),
        "deals_won": won,
        "deals_lost": lost,
        "sales_cycle_days_median": cycle,
        "leads": 0,
        "calls": calls,
        "appointments": 0,
        "quotes_sent": 0,
        "follow_ups": 0,
    }
    return RepLine(name, None, values)


def test_a_rep_who_differs_only_in_conversion_is_told_conversion():
    strong = [line("Ann", 10, 10), line("Bob", 10, 10)]
    weak = line("Cid", 4, 16)

    gaps = coaching_gaps(weak, team_of(strong))

    # The team wins 50 % of 20 closed deals at 10,000 each; Cid wins 20 %: 0.3 x 20 x 10,000.
    assert [(gap.driver, gap.lost) for gap in gaps] == [("stage conversion", Decimal("60000"))]
    assert gaps[0].figures == "wins 20.0 % of closed deals (4 of 20), team 50.0 %"


def test_the_two_largest_gaps_are_named_largest_first():
    team = team_of([line("Ann", 10, 10), line("Bob", 10, 10)])
    # Half the team's calls (costs 40,000 of revenue at his rate), 40 % win rate over 20
    # closed deals (0.1 x 20 x 5,000 = 10,000), deals of 5,000 (8 x 5,000 = 40,000).
    weak = line("Cid", 8, 12, size=5_000, calls=100)

    gaps = coaching_gaps(weak, team)

    assert [(gap.driver, gap.lost) for gap in gaps] == [
        ("activity pace", Decimal("40000")),
        ("deal size", Decimal("40000")),
    ]


def test_a_rep_level_with_the_team_has_no_gap():
    team = team_of([line("Ann", 10, 10), line("Bob", 10, 10)])
    assert coaching_gaps(line("Cid", 10, 10), team) == []


@pytest.mark.django_db
def test_the_team_page_names_stage_conversion_for_the_weakest_rep(rep, manager, stages):
    peer = UserFactory(username="peer", manager=manager, team=rep.team)
    for owner, wins in ((rep, 2), (peer, 8)):
        for i in range(10):
            DealFactory(
                owner=owner, stage=stages["Won" if i < wins else "Lost"], amount=Decimal(1000),
                created_on=date(2026, 10, 1), closed_on=date(2026, 11, 2),
            )  # fmt: skip
    query = QueryDict(mutable=True)
    query.update({"period": "quarter", "on": TODAY.isoformat()})
    filters = filters_from_query(manager, query, today=TODAY, period="quarter")

    board = manager_dashboard(manager, filters, TODAY, 30)

    table = next(block for block in board.blocks if block.key == "coaching")
    rows = [[cell.text for cell in row] for row in table.rows]
    # 80 % against 20 % of 10 closed deals at 1,000 each: 6,000 of revenue.
    assert rows == [
        [
            "Rita Rep",
            "stage conversion",
            "wins 20.0 % of closed deals (2 of 10), team 80.0 %",
            "6,000.00 USD",
        ]
    ]
    assert f"owner={rep.pk}" in table.rows[0][1].url
