"""Statements built from the database: splits, clawbacks, draws, locking, recalculation."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from compensation.models import DealCredit, PlanComponent, Statement, StatementLine
from compensation.services import (
    statement_adjust,
    statements_build,
    statements_close,
    statements_recalculate,
)
from compensation.tasks import statements_build as statements_build_task
from pipeline.models import Subscription
from quotas.models import Quota
from tests.compensation.conftest import FEB, JAN, MAR, NOW, assign, make_plan, move, won_deal
from tests.factories import AccountFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def statement_of(rep, start: date = JAN) -> Statement:
    return Statement.objects.get(rep=rep, period="month", start=start)


def pay(rep, start: date = JAN) -> list[tuple]:
    lines = statement_of(rep, start).lines.order_by("position")
    return list(lines.values_list("kind", "deal__name", "amount"))


def test_a_split_deal_is_credited_to_each_rep_by_share(stages, rep, other_rep, plan):
    assign(rep, plan)
    assign(other_rep, plan)
    deal = won_deal(stages, rep, "50000", date(2026, 1, 9), name="Acme")
    DealCredit.objects.create(deal=deal, rep=rep, percent=D(60))
    DealCredit.objects.create(deal=deal, rep=other_rep, percent=D(40))

    statements_build(period="month", start=JAN, now=NOW)

    # 10 % of 60 % of 50,000 and of 40 %.
    assert pay(rep) == [("commission", "Acme", D("3000.00"))]
    assert pay(other_rep) == [("commission", "Acme", D("2000.00"))]
    assert statement_of(rep).lines.get().credit == D(60)


def test_an_unsplit_deal_credits_its_owner_and_other_periods_are_left_out(stages, rep, plan):
    assign(rep, plan)
    won_deal(stages, rep, "12000", date(2026, 1, 31), name="In")
    won_deal(stages, rep, "99000", date(2026, 2, 1), name="Out")

    statements_build(period="month", start=JAN, now=NOW)

    assert pay(rep) == [("commission", "In", D("1200.00"))]


def test_tiers_use_the_reps_quota_for_the_period(stages, rep):
    assign(rep, make_plan("Tiered", tiers=((0, 5), (100, 10))))
    Quota.objects.create(rep=rep, period="month", start=JAN, metric="bookings", amount=10000)
    won_deal(stages, rep, "15000", date(2026, 1, 9), name="Big")

    statements_build(period="month", start=JAN, now=NOW)

    # 10,000 x 5 % = 500, then 5,000 x 10 % = 500.
    statement = statement_of(rep)
    assert pay(rep) == [("commission", "Big", D("500.00"))] * 2
    assert (statement.quota, statement.attainment, statement.total) == (
        D("10000.00"),
        D("150.00"),
        D("1000.00"),
    )


def test_a_cancelled_deal_is_clawed_back_in_the_next_period(stages, rep):
    assign(rep, make_plan("Claw", clawback_days=90))
    deal = won_deal(stages, rep, "20000", date(2026, 1, 15), name="Acme")
    statements_close(period="month", start=JAN, by=None, now=NOW)
    move(deal, stages["Lost"], date(2026, 2, 10))

    statements_build(period="month", start=FEB, now=NOW)
    statements_build(period="month", start=FEB, now=NOW)  # once, however often it is built

    assert pay(rep, JAN) == [("commission", "Acme", D("2000.00"))]
    assert pay(rep, FEB) == [("clawback", "Acme", D("-2000.00"))]
    assert statement_of(rep, FEB).total == D("-2000.00")


def test_a_clawback_happens_once_and_not_after_the_window(stages, rep):
    assign(rep, make_plan("Claw", clawback_days=20))
    early = won_deal(stages, rep, "5000", date(2026, 1, 5), name="Early")
    late = won_deal(stages, rep, "8000", date(2026, 1, 25), name="Late")
    statements_close(period="month", start=JAN, by=None, now=NOW)
    move(late, stages["Prospecting"], date(2026, 2, 3))  # 9 days after closing
    move(early, stages["Lost"], date(2026, 2, 4))  # 30 days after closing
    statements_close(period="month", start=FEB, by=None, now=NOW)

    statements_build(period="month", start=MAR, now=NOW)

    assert pay(rep, FEB) == [("clawback", "Late", D("-800.00"))]
    assert pay(rep, MAR) == []


def test_a_churned_customer_is_clawed_back_but_not_a_renewed_subscription(stages, rep):
    assign(rep, make_plan("Claw", clawback_days=60))
    churned, renewed = AccountFactory(name="Gone"), AccountFactory(name="Stays")
    won_deal(stages, rep, "10000", date(2026, 1, 10), name="Gone deal", account=churned)
    won_deal(stages, rep, "30000", date(2026, 1, 12), name="Stays deal", account=renewed)
    Subscription.objects.create(account=churned, mrr=100, start=JAN, end=date(2026, 2, 20))
    Subscription.objects.create(account=renewed, mrr=100, start=JAN, end=date(2026, 2, 20))
    Subscription.objects.create(account=renewed, mrr=150, start=date(2026, 2, 20))
    statements_close(period="month", start=JAN, by=None, now=NOW)

    statements_build(period="month", start=FEB, now=NOW)

    assert pay(rep, FEB) == [("clawback", "Gone deal", D("-1000.00"))]
    assert (
        "churned on 2026-02-20, 41 days after closing"
        in statement_of(rep, FEB).lines.get().explanation
    )


def test_a_recoverable_draw_carries_over_closed_periods(stages, rep):
    assign(rep, make_plan("Draw", draw=D(3000)))
    won_deal(stages, rep, "10000", date(2026, 1, 5))
    won_deal(stages, rep, "45000", date(2026, 2, 5))
    won_deal(stages, rep, "60000", date(2026, 3, 5))

    for start in (JAN, FEB, MAR):
        statements_close(period="month", start=start, by=None, now=NOW)

    # Jan: 1,000 earned + 2,000 draw (owed 2,000). Feb: 4,500 - 1,500 (owed 500).
    # Mar: 6,000 - 500 (owed 0).
    totals = [
        (statement_of(rep, s).total, statement_of(rep, s).draw_balance) for s in (JAN, FEB, MAR)
    ]
    assert totals == [
        (D("3000.00"), D("2000.00")),
        (D("3000.00"), D("500.00")),
        (D("5500.00"), D(0)),
    ]


def test_building_again_replaces_lines_and_never_duplicates(stages, rep, plan):
    assign(rep, plan)
    deal = won_deal(stages, rep, "1000", date(2026, 1, 5))
    statements_build(period="month", start=JAN, now=NOW)
    deal.amount = D("3000")
    deal.save()

    summary = statements_build(period="month", start=JAN, now=NOW)

    assert summary.as_dict() == {
        "period": "month",
        "start": "2026-01-01",
        "built": 1,
        "locked": 0,
        "removed": 0,
        "closed": 0,
        "adjusted": 0,
    }
    assert Statement.objects.count() == 1
    assert StatementLine.objects.get().amount == D("300.00")


def test_a_rep_taken_off_the_plan_loses_their_open_statement(stages, rep, plan):
    assignment = assign(rep, plan)
    statements_build(period="month", start=JAN, now=NOW)
    assignment.delete()

    assert statements_build(period="month", start=JAN, now=NOW).removed == 1
    assert not Statement.objects.exists()


def test_a_closed_statement_is_locked_and_recalculation_adds_adjustments(
    stages, rep, admin_user, plan
):
    assign(rep, plan)
    deal = won_deal(stages, rep, "1000", date(2026, 1, 5), name="Acme")
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    deal.amount = D("3000")
    deal.save()

    assert statements_build(period="month", start=JAN, now=NOW).locked == 1
    assert pay(rep) == [("commission", "Acme", D("100.00"))]

    statements_recalculate(period="month", start=JAN, by=admin_user, reason="Amount corrected")
    statements_recalculate(period="month", start=JAN, by=admin_user, reason="Again, no change")

    statement = statement_of(rep)
    adjustment = statement.lines.get(kind="adjustment")
    assert pay(rep) == [("commission", "Acme", D("100.00")), ("adjustment", "Acme", D("200.00"))]
    assert (adjustment.created_by, adjustment.reason) == (admin_user, "Amount corrected")
    assert statement.total == D("300.00")
    assert (statement.status, statement.closed_by) == ("closed", admin_user)


def test_only_closed_statements_take_manual_adjustments_with_a_reason(
    stages, rep, admin_user, plan
):
    assign(rep, plan)
    statements_build(period="month", start=JAN, now=NOW)
    statement = statement_of(rep)

    with pytest.raises(ValidationError, match="open statement"):
        statement_adjust(statement=statement, amount=D("50"), reason="Bonus", by=admin_user)
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    statement.refresh_from_db()
    with pytest.raises(ValidationError, match="Say why"):
        statement_adjust(statement=statement, amount=D("50"), reason=" ", by=admin_user)

    line = statement_adjust(statement=statement, amount=D("50.00"), reason="Bonus", by=admin_user)

    statement.refresh_from_db()
    assert (line.kind, line.position, line.created_by, statement.total) == (
        "adjustment",
        1,
        admin_user,
        D("50.00"),
    )


def test_recurring_base_uses_the_products_billing(stages, rep):
    assign(rep, make_plan("Recurring", base="recurring"))
    cloud = ProductFactory(name="Cloud", billing="recurring")
    won_deal(stages, rep, "4000", date(2026, 1, 5), name="Cloud deal", product=cloud)
    won_deal(stages, rep, "9000", date(2026, 1, 6), name="Box deal", product=ProductFactory())

    statements_build(period="month", start=JAN, now=NOW)

    assert pay(rep) == [("commission", "Cloud deal", D("400.00"))]


def test_a_period_start_must_start_a_period(db):
    with pytest.raises(ValidationError, match="does not start a fiscal month"):
        statements_build(period="month", start=date(2026, 1, 2))


def test_the_command_builds_and_closes_a_period(stages, rep, admin_user, plan, capsys):
    assign(rep, plan)
    won_deal(stages, rep, "1000", date(2026, 1, 5))

    call_command("build_statements", "--period-start", "2026-01-01", "--period", "month")
    call_command("build_statements", "--period-start", "2026-01-01", "--close", "--by", "ops")

    assert statement_of(rep).status == "closed"
    assert statement_of(rep).closed_by == admin_user
    assert "built    1" in capsys.readouterr().out


def test_the_task_builds_the_period_it_is_given(stages, rep, plan):
    assign(rep, plan)
    won_deal(stages, rep, "1000", date(2026, 1, 5))

    summary = statements_build_task.delay(period="month", start="2026-01-01").get()

    assert summary["built"] == 1
    assert statement_of(rep).total == D("100.00")


def test_quarterly_plans_build_fiscal_quarter_statements(stages, rep, settings):
    settings.FISCAL_YEAR_START_MONTH = 2
    assign(rep, make_plan("Quarterly", period="quarter"))
    won_deal(stages, rep, "1000", date(2026, 1, 31), name="Before")
    won_deal(stages, rep, "2000", date(2026, 2, 1), name="First day")
    won_deal(stages, rep, "4000", date(2026, 4, 30), name="Last day")

    statements_build(period="quarter", start=FEB, now=NOW)
    with pytest.raises(ValidationError):
        statements_build(period="quarter", start=JAN, now=NOW)

    statement = Statement.objects.get(rep=rep)
    assert (statement.start, statement.end, statement.total) == (FEB, date(2026, 5, 1), D("600.00"))


def test_building_sends_as_many_queries_for_six_reps_as_for_two(stages, plan):
    PlanComponent.objects.create(plan=plan, name="Kicker", kind="spif", spif_fixed=10, order=1)
    reps = []

    def fresh_build(count: int) -> int:
        """Statements built from scratch for `count` reps, each with a deal split with the
        first rep (whose own deal is unsplit); the queries it took."""
        Statement.objects.all().delete()
        while len(reps) < count:
            rep = UserFactory(username=f"q{len(reps)}")
            assign(rep, plan)
            deal = won_deal(stages, rep, "1000", date(2026, 1, 5 + len(reps)))
            if reps:
                DealCredit.objects.create(deal=deal, rep=rep, percent=D(50))
                DealCredit.objects.create(deal=deal, rep=reps[0], percent=D(50))
            reps.append(rep)
        with CaptureQueriesContext(connection) as queries:
            statements_build(period="month", start=JAN, now=NOW)
        return len(queries)

    assert fresh_build(2) == fresh_build(6)
    assert statement_of(reps[0]).lines.filter(kind="commission").count() == 6


def test_statements_are_built_by_the_beat_schedule_when_a_month_ends(db):
    tasks = PeriodicTask.objects.filter(task="compensation.tasks.statements_build")

    assert sorted(tasks.values_list("kwargs", "crontab__day_of_month", "crontab__hour")) == [
        ('{"period": "month"}', "1", "3"),
        ('{"period": "quarter"}', "1", "3"),
    ]


LINE_FIELDS = (
    *("position", "kind", "component", "deal_id", "deal_name", "closed_on", "credit", "base"),
    *("tier", "rate", "exact", "amount", "explanation", "reason"),
)


def all_lines() -> list[tuple]:
    rows = StatementLine.objects.order_by("statement__rep__username", "position")
    return list(rows.values_list("statement__rep__username", *LINE_FIELDS))


def test_a_rebuild_gives_exactly_the_lines_of_the_build(stages, rep, other_rep):
    plan = make_plan("Tiered", tiers=((0, 5), (100, 10)))
    PlanComponent.objects.create(plan=plan, name="Kicker", kind="spif", spif_fixed=10, order=1)
    assign(rep, plan)
    assign(other_rep, plan)
    Quota.objects.create(rep=rep, period="month", start=JAN, metric="bookings", amount=10000)
    big = won_deal(stages, rep, "15000", date(2026, 1, 9), name="Big")
    DealCredit.objects.create(deal=big, rep=rep, percent=D(60))
    DealCredit.objects.create(deal=big, rep=other_rep, percent=D(40))
    won_deal(stages, rep, "4000", date(2026, 1, 20), name="Small")
    statements_build(period="month", start=JAN, now=NOW)
    built, ids = all_lines(), list(StatementLine.objects.values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        statements_build(period="month", start=JAN, now=NOW)
    assert all_lines() == built
    writes = [q["sql"] for q in queries if "compensation_statementline" in q["sql"]]
    assert not [sql for sql in writes if sql.lstrip().startswith(("INSERT", "DELETE"))]
    assert list(StatementLine.objects.values_list("pk", flat=True)) == ids

    Statement.objects.update(lines_digest="")  # as if every statement had changed
    statements_build(period="month", start=JAN, now=NOW)
    assert all_lines() == built
    assert not StatementLine.objects.filter(pk__in=ids).exists()

    # Rep: 9,000 of Big x 5 % = 450; Small: 1,000 x 5 % = 50 and 3,000 above quota x 10 % =
    # 300; Kicker 10 x 60 % and 10 x 100 %. Other rep, no quota: 6,000 x 5 % and 10 x 40 %.
    amounts = [(name, kind, amount) for name, _, kind, *_, amount, _, _ in built]
    assert amounts == [
        (other_rep.username, "commission", D("300.00")),
        (other_rep.username, "spif", D("4.00")),
        (rep.username, "commission", D("450.00")),
        (rep.username, "commission", D("50.00")),
        (rep.username, "commission", D("300.00")),
        (rep.username, "spif", D("6.00")),
        (rep.username, "spif", D("10.00")),
    ]
    assert (statement_of(rep).total, statement_of(other_rep).total) == (D("816.00"), D("304.00"))
