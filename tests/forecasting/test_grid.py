"""The forecast grid's figures on hand-made deals: per scope and column, each cell the sum of
the deals it drills to, calls rolled up, quota and gap, what moved, and call accuracy."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.periods import Period
from forecasting.call_accuracy import call_accuracy
from forecasting.changes import deal_changes
from forecasting.grid import (
    Node,
    People,
    Sources,
    cell_deals,
    grid_period,
    grid_rows,
    node_deals,
)
from forecasting.models import ForecastCall, ForecastLine, ScopeKind
from forecasting.services import forecast_call_make
from org.models import User
from pipeline.models import Deal
from quotas.models import Quota

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 2)
DECEMBER = Period(date(2026, 12, 1), date(2027, 1, 1))


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def deal(owner, stage, amount, expected=None, closed=None, created=date(2026, 10, 1)) -> Deal:
    row = Deal(
        name=f"{owner.username} {stage.name} {amount}",
        owner=owner,
        stage=stage,
        amount=Decimal(amount),
        created_on=created,
        expected_close_on=expected,
        closed_on=closed,
    )
    row.save(changed_at=at(created))
    return row


def call(by, amount, made_at, best=None, kind="month", start=date(2026, 12, 1)) -> ForecastCall:
    return ForecastCall.objects.create(
        scope_kind=ScopeKind.MANAGER,
        scope_key=str(by.pk),
        period_kind=kind,
        period_start=start,
        amount=Decimal(amount),
        best_case=None if best is None else Decimal(best),
        currency="USD",
        comment="why",
        made_by=by,
        made_at=made_at,
    )


@pytest.fixture
def book(stages, rep, other_rep, manager, other_manager):
    """Rita (Mia's) and Olga (Otto's) with December deals of every kind; Mia has called."""
    s = stages
    deal(rep, s["Won"], "1000", closed=date(2026, 12, 1))
    deal(rep, s["Won"], "999", closed=date(2026, 11, 30))  # November: not this month
    deal(rep, s["Negotiation"], "500", expected=date(2026, 12, 20))
    deal(rep, s["Negotiation"], "300", expected=date(2026, 11, 15))  # overdue: due now
    deal(rep, s["Negotiation"], "700", expected=date(2027, 1, 10))  # next month
    deal(rep, s["Proposal"], "200", expected=date(2026, 12, 10))
    deal(rep, s["Prospecting"], "100", expected=date(2026, 12, 31))
    deal(rep, s["Lost"], "50", closed=date(2026, 12, 1))
    deal(other_rep, s["Won"], "400", closed=date(2026, 12, 1))
    deal(other_rep, s["Negotiation"], "250", expected=date(2026, 12, 15))
    call(manager, "1500", at(date(2026, 11, 20)), best="1900")
    call(manager, "2000", at(date(2026, 12, 1)), best="2500")
    Quota.objects.create(
        rep=rep, period="month", start=date(2026, 12, 1), metric="bookings", amount=3000
    )
    return s


def sources() -> Sources:
    return Sources(
        deals=Deal.objects.all(),
        quotas=Quota.objects.all(),
        calls=ForecastCall.objects.all(),
        lines=ForecastLine.objects.none(),
    )


def rows_of(node_param: Node | None = None, people: People | None = None):
    people = people or People(User.objects.all())
    root = node_param or Node(ScopeKind.COMPANY)
    return people, grid_rows(sources(), people, root, "month", DECEMBER, DAY)


def test_grid_periods_are_this_month_this_quarter_and_next_quarter():
    assert grid_period("month", DAY) == ("month", DECEMBER)
    assert grid_period("quarter", DAY) == ("quarter", Period(date(2026, 10, 1), date(2027, 1, 1)))
    assert grid_period("next_quarter", DAY) == (
        "quarter",
        Period(date(2027, 1, 1), date(2027, 4, 1)),
    )


def test_a_manager_s_grid_is_their_tree_then_each_rep(book, manager, rep):
    people = People(User.objects.all())
    _, rows = rows_of(people.node(manager.pk), people)
    assert [row.node.name for row in rows] == ["Mia's team · Mia Manager", "Rita Rep"]
    mia, rita = rows
    for row in rows:
        assert (row.closed, row.commit, row.best_case, row.pipeline) == (1000, 800, 200, 100)
    assert mia.call.amount == 2000 and mia.call.best_case == 2500  # the latest call stands
    assert rita.call is None
    assert rita.rollup == 1800 and mia.rollup == 1800  # closed 1000 + commit 800 below Mia
    assert mia.quota == 3000 and mia.gap == 1000  # quota less the call
    assert rita.gap == 1200  # without a call: quota less closed + commit


def test_the_company_grid_rolls_up_each_manager_s_call_or_their_numbers(book):
    _, rows = rows_of()
    assert [row.node.name for row in rows] == [
        "Company",
        "Mia's team · Mia Manager",
        "Otto's team · Otto Other",
    ]
    company, mia, otto = rows
    assert (company.closed, company.commit, company.best_case) == (1400, 1050, 200)
    assert (otto.closed, otto.commit, otto.call) == (400, 250, None)
    assert company.rollup == 2000 + 650  # Mia's call, and Otto's closed + commit
    assert company.call is None and company.quota == 3000 and otto.quota is None


@pytest.mark.parametrize("column", ["closed", "commit", "best_case", "pipeline"])
def test_every_cell_is_the_sum_of_the_deals_it_drills_to(book, column):
    people, rows = rows_of()
    for row in rows:
        listed = cell_deals(Deal.objects.all(), people, row.node, column, DECEMBER, DAY)
        assert sum(d.amount for d in listed) == getattr(row, column), (row.node.name, column)


def test_a_closed_deal_stays_with_the_tree_it_closed_in(book, rep, manager, other_manager):
    rep.manager = other_manager
    rep.save()
    people = People(User.objects.all())
    _, rows = rows_of(people.node(manager.pk), people)
    assert rows[0].closed == 1000 and rows[0].commit == 0  # won under Mia; open deals moved


def test_a_call_s_best_case_may_not_be_below_its_commit_nor_negative(manager):
    made = {"by": manager, "scope_kind": "manager", "scope_key": str(manager.pk)}
    made |= {"period_kind": "month", "period_start": date(2026, 12, 1), "comment": "x"}
    with pytest.raises(ValidationError) as below:
        forecast_call_make(**made, amount=Decimal(100), best_case=Decimal(90))
    assert below.value.message_dict == {
        "best_case": ["The best case (90.00) cannot be below the commit (100.00)."]
    }
    with pytest.raises(ValidationError) as negative:
        forecast_call_make(**made, amount=Decimal(-1))
    assert negative.value.message_dict == {"amount": ["The commit cannot be negative."]}
    assert not ForecastCall.objects.exists()


def test_deals_pushed_pulled_new_and_lost_since_a_moment(stages, rep):
    s = stages
    pushed = deal(rep, s["Negotiation"], "500", expected=date(2026, 12, 20))
    pulled = deal(rep, s["Proposal"], "300", expected=date(2027, 2, 1))
    lost = deal(rep, s["Negotiation"], "200", expected=date(2026, 12, 5))
    deal(rep, s["Negotiation"], "100", expected=date(2026, 12, 6))  # unchanged
    since = at(date(2026, 11, 25))
    pushed.expected_close_on = date(2027, 1, 15)
    pushed.save(changed_at=at(date(2026, 11, 28)))
    pulled.expected_close_on = date(2026, 12, 5)
    pulled.save(changed_at=at(date(2026, 11, 28)))
    lost.stage, lost.closed_on = s["Lost"], date(2026, 11, 30)
    lost.save(changed_at=at(date(2026, 11, 30)))
    new = deal(rep, s["Prospecting"], "70", expected=date(2026, 12, 9), created=date(2026, 11, 29))
    found = deal_changes(Deal.objects.all(), DECEMBER, since, DAY)
    assert [(m.deal_id, m.was, m.now) for m in found.pushed] == [
        (pushed.pk, date(2026, 12, 20), date(2027, 1, 15))
    ]
    assert [(m.deal_id, m.was, m.now) for m in found.pulled] == [
        (pulled.pk, date(2027, 2, 1), date(2026, 12, 5))
    ]
    assert [m.deal_id for m in found.new] == [new.pk]
    assert [(m.deal_id, m.now) for m in found.lost] == [(lost.pk, date(2026, 11, 30))]


def test_call_accuracy_sets_the_standing_call_against_what_closed(stages, rep, manager):
    deal(rep, stages["Won"], "1200", closed=date(2026, 11, 12))
    deal(rep, stages["Won"], "1000", closed=date(2026, 10, 3))
    call(manager, "1000", at(date(2026, 11, 10)), start=date(2026, 11, 1))
    call(manager, "1500", at(date(2026, 11, 20)), start=date(2026, 11, 1))  # stands
    call(manager, "9999", at(date(2026, 12, 1)), start=date(2026, 11, 1))  # after the month
    call(manager, "800", at(date(2026, 10, 2)), start=date(2026, 10, 1))
    people = People(User.objects.all())
    won = node_deals(Deal.objects.all(), people, people.node(manager.pk))
    score = call_accuracy(ForecastCall.objects.all(), won, "month", DAY)
    assert [(p.period.start, p.call, p.actual) for p in score.periods] == [
        (date(2026, 10, 1), 800, 1000),
        (date(2026, 11, 1), 1500, 1200),
    ]
    assert score.mape == (Decimal("0.2") + Decimal("0.25")) / 2
    assert score.wape == Decimal(500) / Decimal(2200)


def test_call_accuracy_is_empty_without_calls(stages, manager):
    score = call_accuracy(ForecastCall.objects.all(), Deal.objects.all(), "quarter", DAY)
    assert score.periods == [] and score.mape is None and score.wape is None
