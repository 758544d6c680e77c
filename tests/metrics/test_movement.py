"""The pipeline waterfall between two days, from deal history."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core.periods import Period
from metrics.scope import Scope
from metrics.service import pipeline_movement
from pipeline.models import Deal

pytestmark = pytest.mark.django_db

START, END = date(2017, 1, 31), date(2017, 2, 28)
FEBRUARY = Period(date(2017, 2, 1), date(2017, 3, 1))


def at(month: int, day: int) -> datetime:
    return datetime(2017, month, day, 12, tzinfo=UTC)


def opened(stages, owner, amount: str, when: datetime, close: date | None = None) -> Deal:
    deal = Deal(name=amount, stage=stages["Prospecting"], owner=owner, amount=Decimal(amount),
                created_on=when.date(), expected_close_on=close)  # fmt: skip
    deal.save(changed_at=when)
    return deal


def change(deal: Deal, when: datetime, **fields) -> None:
    for name, value in fields.items():
        setattr(deal, name, value)
    deal.save(changed_at=when)


@pytest.fixture
def history(stages, rep):
    grown = opened(stages, rep, "1000", at(1, 10))
    change(grown, at(2, 5), amount=Decimal("1500"))
    change(
        opened(stages, rep, "1000", at(1, 12)),
        at(2, 10),
        stage=stages["Won"],
        closed_on=date(2017, 2, 10),
    )
    change(
        opened(stages, rep, "800", at(1, 15)),
        at(2, 12),
        stage=stages["Lost"],
        closed_on=date(2017, 2, 12),
    )
    opened(stages, rep, "600", at(2, 3))
    change(opened(stages, rep, "700", at(1, 20)), at(2, 8), amount=Decimal("400"))
    change(opened(stages, rep, "300", at(2, 2)), at(2, 20),
           stage=stages["Won"], closed_on=date(2017, 2, 20))  # fmt: skip


def test_waterfall_bridges_start_to_end(history):
    total, groups = pipeline_movement(Scope.everything(), START, END)
    assert (total.start, total.end) == (3500, 2500)
    assert (total.new, total.expanded, total.contracted) == (600, 500, 300)
    assert (total.won, total.lost) == (1000, 800)
    assert total.pulled_in == total.pushed_out == total.reopened == 0
    assert [g.key for g in groups] == ["Rita Rep"]
    assert groups[0] == total.__class__(**{**total.__dict__, "key": "Rita Rep"})


def test_a_window_turns_date_changes_into_pulls_and_pushes(stages, rep, other_rep):
    pulled = opened(stages, rep, "900", at(1, 5), close=date(2017, 3, 15))
    change(pulled, at(2, 14), expected_close_on=date(2017, 2, 25))
    pushed = opened(stages, other_rep, "400", at(1, 6), close=date(2017, 2, 20))
    change(pushed, at(2, 16), expected_close_on=date(2017, 4, 1))

    total, groups = pipeline_movement(Scope.everything(), START, END, window=FEBRUARY)

    assert (total.start, total.pulled_in, total.pushed_out, total.end) == (400, 900, 400, 900)
    reps = {group.key: group for group in groups}
    assert (reps["Rita Rep"].pulled_in, reps["Olga Rep"].pushed_out) == (900, 400)


def test_a_reopened_deal_comes_back_into_the_pipeline(stages, rep):
    deal = opened(stages, rep, "500", at(1, 2))
    change(deal, at(1, 9), stage=stages["Lost"], closed_on=date(2017, 1, 9))
    change(deal, at(2, 9), stage=stages["Proposal"], closed_on=None)

    total, _ = pipeline_movement(Scope.everything(), START, END, by=None)

    assert (total.start, total.reopened, total.end) == (0, 500, 500)
