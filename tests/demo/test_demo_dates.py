"""The demo's statistical promises hold whatever day it is built on, not only on the real one.

The small demo is built on each of a handful of days at the calendar's edges: a quarter's
start, middle and end, the fiscal year's turn (the fiscal year starts in January), a leap day.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from statistics import median

import pytest
from django.db import transaction
from django.db.models import Sum

from core.periods import add_months
from demo.activity import ACTIVITY_MONTHS
from demo.build import demo_load
from demo.context import working_days
from org.models import Role, User
from pipeline.models import Activity, ActivityKind, Deal
from quotas.models import Quota

pytestmark = pytest.mark.django_db

SMALL = 0.05
DAYS = [
    date(2026, 10, 1),  # a quarter's first day
    date(2026, 11, 15),  # the middle of a quarter
    date(2026, 12, 31),  # the fiscal year's last day
    date(2027, 1, 1),  # the next fiscal year's first day
    date(2027, 3, 31),  # a quarter's last day
    date(2028, 2, 29),  # a leap day
]


@pytest.fixture(scope="module", params=DAYS, ids=str)
def built_on(request, django_db_setup, django_db_blocker) -> Iterator[date]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(seed=7, scale=SMALL, today=request.param)
        yield request.param
        transaction.set_rollback(True)


def test_history_ends_on_the_day_it_is_built_for(built_on):
    assert Deal.objects.latest("created_on").created_on <= built_on
    assert not Deal.objects.filter(closed_on__gt=built_on).exists()
    assert Deal.objects.filter(status="open").exists()
    last_quota = Quota.objects.filter(period="month").latest("start").start
    assert last_quota == date(built_on.year, 12, 1)


def test_median_rep_lands_near_quota_and_reps_spread_out(built_on):
    """Finished months only: from each rep's first quota to the start of the build month."""
    finished = built_on.replace(day=1)
    attainment = []
    for rep in User.objects.filter(role=Role.REP):
        quotas = Quota.objects.filter(rep=rep, period="month", start__lt=finished)
        if not quotas.exists():
            continue
        first = quotas.order_by("start").first()
        won = rep.deals.filter(status="won", closed_on__gte=first.start, closed_on__lt=finished)
        booked = won.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        attainment.append(booked / quotas.aggregate(total=Sum("amount"))["total"])
    assert len(attainment) >= 30
    assert Decimal("0.8") <= median(attainment) <= Decimal("1.05")
    assert max(attainment) > Decimal("1.2") and min(attainment) < Decimal("0.6")


def test_best_reps_book_at_least_twice_the_weakest(built_on):
    start = Deal.objects.earliest("created_on").created_on
    won = sorted(
        rep.deals.filter(status="won").aggregate(total=Sum("amount"))["total"] or Decimal(0)
        for rep in User.objects.filter(role=Role.REP, hired_on__lt=start)
    )
    quarter = len(won) // 4
    assert won[-1] > 0 and won[-1] >= 2 * won[0]
    assert sum(won[-quarter:]) >= 2 * sum(won[:quarter])


def test_reps_log_a_full_day_of_activity(built_on):
    """Per working day of the activity log, scaled back to a full-size demo: about nine calls
    and half an appointment for the median rep."""
    first = add_months(built_on.replace(day=1), -ACTIVITY_MONTHS)
    rates: dict[str, list[float]] = {ActivityKind.CALL: [], ActivityKind.APPOINTMENT: []}
    for rep in User.objects.filter(role=Role.REP, hired_on__lt=first):
        days = len(working_days(first, built_on)) * SMALL
        for kind, found in rates.items():
            found.append(Activity.objects.filter(rep=rep, kind=kind).count() / days)
    assert 7 <= median(rates[ActivityKind.CALL]) <= 11
    assert 0.3 <= median(rates[ActivityKind.APPOINTMENT]) <= 0.9
