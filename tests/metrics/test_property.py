"""The database agrees with a naive pure-Python reference on random deals."""

import statistics
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.periods import Period
from metrics.scope import Scope
from metrics.service import kpi_panel
from pipeline.models import Deal
from tests.metrics.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

STAGES = ("Prospecting", "Proposal", "Negotiation", "Won", "Lost")
PROBABILITY = {"Prospecting": 10, "Proposal": 40, "Negotiation": 70, "Won": 100, "Lost": 0}
DAY0 = date(2017, 1, 1)

deal_specs = st.lists(
    st.fixed_dictionaries(
        {
            "owner": st.integers(0, 2),
            "stage": st.sampled_from(STAGES),
            "amount": st.none() | st.decimals(0, 100_000, places=2),
            "created": st.integers(0, 300),
            "cycle": st.integers(0, 120),
            "type": st.sampled_from(["new_business", "expansion", "renewal"]),
            "product": st.sampled_from([None, "recurring", "one_time"]),
        }
    ),
    max_size=25,
)
periods = st.tuples(st.integers(0, 400), st.integers(1, 400)).map(
    lambda p: Period(DAY0 + timedelta(days=p[0]), DAY0 + timedelta(days=p[0] + p[1]))
)


def reference(specs: list[dict], period: Period) -> dict:
    """Deal KPIs the obvious way, one deal at a time."""

    def inside(day: date) -> bool:
        return period.start <= day < period.end

    def closed_on(spec: dict) -> date:
        return DAY0 + timedelta(days=spec["created"] + spec["cycle"])

    closed = [s for s in specs if s["stage"] in ("Won", "Lost") and inside(closed_on(s))]
    won = [s for s in closed if s["stage"] == "Won"]
    lost = [s for s in closed if s["stage"] == "Lost"]
    open_ = [s for s in specs if s["stage"] not in ("Won", "Lost")]
    created = [s for s in specs if inside(DAY0 + timedelta(days=s["created"]))]
    revenue = sum((s["amount"] or 0 for s in won), Decimal(0))
    cycles = [s["cycle"] for s in closed]
    return {
        "revenue": revenue,
        "revenue_new_customers": sum(
            (s["amount"] or 0 for s in won if s["type"] == "new_business"), Decimal(0)
        ),
        "revenue_recurring": sum(
            (s["amount"] or 0 for s in won if s["product"] == "recurring"), Decimal(0)
        ),
        "deals_won": len(won),
        "deals_lost": len(lost),
        "opportunities": len(created),
        "win_rate": Decimal(len(won)) / len(closed) if closed else None,
        "close_rate": Decimal(len(closed)) / len(created) if created else None,
        "average_deal_size": revenue / len(won) if won else None,
        "sales_cycle_days_median": Decimal(str(statistics.median(cycles))) if cycles else None,
        "sales_cycle_days_mean": Decimal(sum(cycles)) / len(cycles) if cycles else None,
        "open_deals": len(open_),
        "pipeline_amount": sum((s["amount"] or 0 for s in open_), Decimal(0)),
        "weighted_pipeline": sum(
            ((s["amount"] or Decimal(0)) * PROBABILITY[s["stage"]] / 100 for s in open_), Decimal(0)
        ),
    }


def create(specs: list[dict], stages: dict, reps: list, products: dict) -> None:
    deals = []
    for spec in specs:
        created = DAY0 + timedelta(days=spec["created"])
        closes = spec["stage"] in ("Won", "Lost")
        deals.append(
            Deal(
                name="d",
                owner=reps[spec["owner"]],
                stage=stages[spec["stage"]],
                amount=spec["amount"],
                type=spec["type"],
                product=products.get(spec["product"]),
                created_on=created,
                closed_on=created + timedelta(days=spec["cycle"]) if closes else None,
            )
        )
    Deal.objects.bulk_create(deals)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=deal_specs, period=periods)
def test_deal_family_per_rep_matches_the_reference(stages, specs, period):
    with transaction.atomic():
        reps = [UserFactory(username=f"p{i}", first_name="Rep", last_name=str(i)) for i in range(3)]
        products = {
            "recurring": ProductFactory(name="r", billing="recurring"),
            "one_time": ProductFactory(name="o", billing="one_time"),
        }
        create(specs, stages, reps, products)

        panel = kpi_panel(Scope.everything(), period, "rep", today=DAY0)

        groups = {group.key: group.values for group in panel.groups}
        for i in range(len(reps)):
            expected = reference([s for s in specs if s["owner"] == i], period)
            assert {k: groups[f"Rep {i}"][k] for k in expected} == expected
        assert {k: panel.total[k] for k in expected} == reference(specs, period)
        transaction.set_rollback(True)
