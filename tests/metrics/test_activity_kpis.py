"""Activity counts, per rep per weekday against targets, and funnel ratios."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core.periods import Period
from metrics.scope import Scope
from metrics.service import kpi_panel
from tests.metrics.conftest import TODAY
from tests.metrics.factories import ActivityFactory, DealFactory

pytestmark = pytest.mark.django_db

WEEK = Period(date(2017, 1, 2), date(2017, 1, 9))  # Monday to Sunday: 5 weekdays


def did(rep, kind: str, times: int, day: int = 3) -> None:
    for _ in range(times):
        ActivityFactory(rep=rep, kind=kind, occurred_at=datetime(2017, 1, day, 10, tzinfo=UTC))


@pytest.fixture
def week(stages, rep, other_rep):
    for kind, times in (
        ("lead", 3),
        ("call", 10),
        ("appointment", 4),
        ("quote", 2),
        ("follow_up", 1),
        ("email", 7),
    ):
        did(rep, kind, times)
    did(rep, "call", 5, day=9)  # the next Monday: outside the week
    DealFactory(stage=stages["Won"], owner=rep, created_on=date(2017, 1, 2),
                closed_on=date(2017, 1, 6))  # fmt: skip


def rita(by: str = "rep") -> dict:
    panel = kpi_panel(Scope.everything(), WEEK, by, today=TODAY)
    return {group.key: group.values for group in panel.groups}["Rita Rep"]


def test_activities_are_counted_by_kind(week):
    counts = rita()
    assert [counts[k] for k in ("leads", "calls", "appointments", "quotes_sent", "follow_ups")] == [
        3, 10, 4, 2, 1,
    ]  # fmt: skip


def test_per_rep_per_weekday_against_target(week, settings):
    settings.PACER_ACTIVITY_TARGETS = {"calls": 4}
    assert rita()["calls_per_rep_day"] == 2
    assert rita()["calls_target_attainment"] == Decimal("0.5")
    assert rita()["leads_target_attainment"] is None  # no target set
    total = kpi_panel(Scope.everything(), WEEK, today=TODAY).total
    assert total["calls_per_rep_day"] == 1  # 10 calls, 2 reps, 5 weekdays


def test_funnel_conversions(week):
    values = rita()
    assert values["call_to_appointment_rate"] == Decimal("0.4")
    assert values["appointment_to_quote_rate"] == Decimal("0.5")
    assert values["quote_to_win_rate"] == Decimal("0.5")


def test_no_calls_means_no_conversion(stages, rep):
    total = kpi_panel(Scope.everything(), WEEK, today=TODAY).total
    assert total["calls"] == 0
    assert total["call_to_appointment_rate"] is None


def test_activities_per_team(week):
    panel = kpi_panel(Scope.everything(), WEEK, "team", today=TODAY)
    teams = {group.key: group.values["calls"] for group in panel.groups}
    assert teams == {"Mia's team": 10, "Otto's team": 0}
