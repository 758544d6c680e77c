"""Disputes: raised by a rep on a closed statement, resolved by sales operations."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from compensation.models import Statement
from compensation.services import dispute_raise, dispute_resolve, statements_build, statements_close
from tests.compensation.conftest import FEB, JAN, MAR, NOW, assign, won_deal

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def closed(stages, rep, admin_user, plan) -> Statement:
    assign(rep, plan)
    won_deal(stages, rep, "10000", date(2026, 1, 5), name="Acme")
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    return Statement.objects.get(rep=rep)


def test_an_accepted_dispute_is_an_adjustment_on_the_next_statement(closed, rep, admin_user):
    line = closed.lines.get()
    dispute = dispute_raise(
        statement=closed, by=rep, kind="wrong_amount", line=line, expected=D(1500), actual=D(1000)
    )

    dispute = dispute_resolve(dispute=dispute, by=admin_user, accept=True, note="Rate was 15 %")

    closed.refresh_from_db()
    assert (dispute.status, dispute.resolved_by, dispute.deal, dispute.amount) == (
        "accepted",
        admin_user,
        line.deal,
        D(500),
    )
    assert (closed.total, dispute.adjustment) == (D("1000.00"), None)  # the closed one stays
    statements_build(period="month", start=FEB, now=NOW)
    february = Statement.objects.get(rep=rep, start=FEB)
    adjustment = february.lines.get()
    assert (adjustment.kind, adjustment.amount, adjustment.deal) == (
        "adjustment",
        D(500),
        line.deal,
    )
    assert "Rate was 15 %" in adjustment.explanation and february.total == D("500.00")
    statements_build(period="month", start=FEB, now=NOW)  # rebuilt: still paid once
    assert Statement.objects.get(rep=rep, start=FEB).lines.count() == 1

    statements_close(period="month", start=FEB, by=admin_user, now=NOW)
    dispute.refresh_from_db()
    assert dispute.adjustment == Statement.objects.get(rep=rep, start=FEB).lines.get()
    statements_build(period="month", start=MAR, now=NOW)
    assert not Statement.objects.get(rep=rep, start=MAR).lines.exists()  # paid once only


def test_a_wrong_credit_is_paid_in_proportion_unless_an_amount_is_given(closed, rep, admin_user):
    line = closed.lines.get()
    dispute = dispute_raise(
        statement=closed, by=rep, kind="wrong_credit", line=line, expected=D(100), actual=D(80)
    )

    dispute = dispute_resolve(dispute=dispute, by=admin_user, accept=True, note="Split was wrong")

    # 1,000 paid for 80 % credit; 100 % pays 1,250: 250 more.
    assert dispute.amount == D("250.00")


def test_a_missing_deal_needs_no_line_and_a_rejection_pays_nothing(closed, rep, admin_user):
    dispute = dispute_raise(
        statement=closed, by=rep, kind="missing_deal", expected=D(700), actual=D(0),
        description="The Globex renewal closed on Jan 30.",
    )  # fmt: skip

    dispute = dispute_resolve(dispute=dispute, by=admin_user, accept=False, note="Closed Feb 2")

    closed.refresh_from_db()
    assert (dispute.status, dispute.adjustment, closed.total) == ("rejected", None, D("1000.00"))
    with pytest.raises(ValidationError, match="already resolved"):
        dispute_resolve(dispute=dispute, by=admin_user, accept=True, note="Changed my mind")


def test_a_line_dispute_names_its_line_and_a_decision_needs_a_note(closed, rep, admin_user):
    with pytest.raises(ValidationError, match="which line"):
        dispute_raise(statement=closed, by=rep, kind="wrong_amount", expected=D(1), actual=D(0))
    dispute = dispute_raise(
        statement=closed, by=rep, kind="missing_deal", expected=D(1), actual=D(0)
    )
    with pytest.raises(ValidationError, match="Say why"):
        dispute_resolve(dispute=dispute, by=admin_user, accept=True, note="")


def test_open_statements_cannot_be_disputed(stages, rep, plan):
    assign(rep, plan)
    statements_build(period="month", start=JAN, now=NOW)

    with pytest.raises(ValidationError, match="once its period is closed"):
        dispute_raise(
            statement=Statement.objects.get(), by=rep, kind="missing_deal", expected=D(1),
            actual=D(0),
        )  # fmt: skip
