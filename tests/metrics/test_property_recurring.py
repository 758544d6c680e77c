"""Subscriptions and surveys: the database agrees with a naive reference on random rows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.periods import Period
from metrics.scope import Scope
from metrics.service import kpi_panel
from pipeline.models import Subscription, SurveyResponse
from tests.metrics.factories import AccountFactory

pytestmark = pytest.mark.django_db

DAY0 = date(2017, 1, 1)
ONE_DAY = timedelta(days=1)
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

subscription_specs = st.lists(
    st.fixed_dictionaries(
        {
            "account": st.integers(0, 2),
            "mrr": st.sampled_from([Decimal(0), Decimal("10.50"), Decimal(100), Decimal(250)]),
            "start": st.integers(0, 200),
            "length": st.none() | st.integers(0, 120),
        }
    ),
    max_size=10,
)
days = st.integers(0, 250).map(lambda n: DAY0 + timedelta(days=n))


def mrr_on(rows: list[dict], day: date) -> Decimal:
    active = [r for r in rows if r["start"] <= day and (r["end"] is None or r["end"] > day)]
    return sum((r["mrr"] for r in active), Decimal(0))


def snapshots(period: Period, today: date) -> list[date]:
    """The day before the period, the last day of each month in it, its last day."""
    end = min(period.end, today + ONE_DAY)
    inside = [period.start + timedelta(days=n) for n in range(1, (end - period.start).days)]
    cuts = [period.start, *(day for day in inside if day.day == 1), end]
    return [cut - ONE_DAY for cut in cuts]


def reference(rows: list[dict], period: Period, today: date) -> dict:
    snaps = snapshots(period, today)
    moves = dict.fromkeys(["mrr_new", "mrr_reactivated", "mrr_expansion", "mrr_contraction",
                           "mrr_churned"], Decimal(0))  # fmt: skip
    for account in {r["account"] for r in rows}:
        mine = [r for r in rows if r["account"] == account]
        for before_day, after_day in zip(snaps, snaps[1:], strict=False):
            before, after = mrr_on(mine, before_day), mrr_on(mine, after_day)
            paid = any(r["mrr"] > 0 and r["start"] <= before_day for r in mine)
            if before == 0 and after > 0:
                moves["mrr_reactivated" if paid else "mrr_new"] += after
            elif before > 0 and after == 0:
                moves["mrr_churned"] += before
            elif after > before > 0:
                moves["mrr_expansion"] += after - before
            elif before > after > 0:
                moves["mrr_contraction"] += before - after
    accounts = {r["account"] for r in rows}
    closing = {a: mrr_on([r for r in rows if r["account"] == a], snaps[-1]) for a in accounts}
    return {
        "mrr": sum(closing.values(), Decimal(0)),
        "customers": sum(1 for value in closing.values() if value > 0),
        **moves,
    }


@PROPERTY
@given(specs=subscription_specs, start=days, length=st.integers(1, 120), today=days)
def test_mrr_and_its_movements_match_the_reference(db, specs, start, length, today):
    period = Period(start, start + timedelta(days=length))
    if today < start:
        today = start
    with transaction.atomic():
        accounts = [AccountFactory(name=f"a{i}") for i in range(3)]
        rows = []
        for spec in specs:
            begin = DAY0 + timedelta(days=spec["start"])
            end = None if spec["length"] is None else begin + timedelta(days=spec["length"])
            rows.append({**spec, "start": begin, "end": end})
        Subscription.objects.bulk_create(
            Subscription(account=accounts[r["account"]], mrr=r["mrr"], start=r["start"],
                         end=r["end"]) for r in rows
        )  # fmt: skip

        total = kpi_panel(Scope.everything(), period, today=today).total

        expected = reference(rows, period, today)
        assert {key: total[key] for key in expected} == expected
        transaction.set_rollback(True)


answers = st.lists(
    st.tuples(st.sampled_from(["csat", "nps"]), st.integers(0, 10), st.integers(0, 60)), max_size=30
)


@PROPERTY
@given(answers=answers, start=st.integers(0, 60), length=st.integers(1, 60))
def test_csat_and_nps_match_the_reference(db, answers, start, length):
    period = Period(DAY0 + timedelta(days=start), DAY0 + timedelta(days=start + length))
    answers = [
        (kind, score if kind == "nps" else score % 5 + 1, day) for kind, score, day in answers
    ]
    inside = [(k, s) for k, s, day in answers if start <= day < start + length]
    csat = [s for k, s in inside if k == "csat"]
    nps = [s for k, s in inside if k == "nps"]
    with transaction.atomic():
        account = AccountFactory()
        SurveyResponse.objects.bulk_create(
            SurveyResponse(account=account, kind=kind, score=score,
                           responded_on=DAY0 + timedelta(days=day))
            for kind, score, day in answers
        )  # fmt: skip

        total = kpi_panel(Scope.everything(), period, today=DAY0).total

        assert total["csat_responses"] == len(csat)
        assert total["csat"] == (
            Decimal(sum(s >= 4 for s in csat)) / len(csat) * 100 if csat else None
        )
        promoters, detractors = sum(s >= 9 for s in nps), sum(s <= 6 for s in nps)
        assert total["nps"] == (Decimal(promoters - detractors) / len(nps) * 100 if nps else None)
        transaction.set_rollback(True)
