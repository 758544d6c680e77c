"""Removing the demo removes its pay too: statements, disputes, splits and plans."""

from datetime import date
from decimal import Decimal

import pytest

from compensation.models import CompPlan, DealCredit, Dispute, Statement, StatementLine
from compensation.services import dispute_raise, statements_close
from demo.build import demo_reset
from tests.compensation.conftest import JAN, NOW, assign, won_deal
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_reset_deletes_pay_data_with_the_demo_people(stages, plan, admin_user):
    demo_rep = UserFactory(username="dee", email="dee@pacer-demo.example")
    assign(demo_rep, plan)
    deal = won_deal(stages, demo_rep, "1000", date(2026, 1, 5))
    DealCredit.objects.create(deal=deal, rep=demo_rep, percent=Decimal(100))
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    statement = Statement.objects.get()
    line = statement.lines.get()
    dispute_raise(
        statement=statement,
        by=demo_rep,
        kind="wrong_amount",
        expected=Decimal(2),
        actual=1,
        line=line,
    )

    demo_reset()

    for model in (Dispute, StatementLine, Statement, DealCredit, CompPlan):
        assert not model.objects.exists(), model
    assert not type(demo_rep).objects.filter(username="dee").exists()
