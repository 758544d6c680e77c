"""The pay pages: a readable statement, disputes raised and decided in the browser, and
statement runs (build, review, close, reopen) for sales operations."""

from datetime import date
from decimal import Decimal

import pytest

from compensation.models import Dispute, Statement, StatementRun
from compensation.review import CurrencyTotal, run_list, run_review
from compensation.services import statements_build, statements_close
from org.models import AuditEntry
from quotas.models import Quota
from tests.compensation.conftest import FEB, JAN, NOW, assign, make_plan, won_deal

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def tiered(stages, rep, admin_user):
    """January: 15,000 won against a 10,000 quota on 5 % to 100 % and 10 % above, closed."""
    plan = make_plan("Tiered", tiers=((0, 5), (100, 10)))
    assign(rep, plan)
    Quota.objects.create(rep=rep, metric="bookings", period="month", start=JAN, amount=10_000)
    won_deal(stages, rep, "15000", date(2026, 1, 12), name="Acme expansion")
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    return Statement.objects.get(rep=rep, start=JAN)


def test_a_statement_shows_attainment_each_tier_and_each_lines_arithmetic(client, tiered, rep):
    client.force_login(rep)

    page = client.get(f"/compensation/statements/{tiered.pk}/").content.decode()

    assert 'id="attainment">150.00 %' in page
    assert "10,000.00 × 5 % = 500" in page and "5,000.00 × 10 % = 500" in page
    assert '<td class="num">10,000.00 USD</td><td class="num">500.00 USD</td>' in page
    assert "0%–100%" in page and "100%+" in page
    assert 'id="total-exact">1,000.00 USD' in page
    assert "Year to date (1 statement)" in page and "Dispute this line" in page
    listed = client.get("/compensation/statements/").content.decode()
    assert '<td class="num">1,000.00 USD</td>' in listed
    assert "<title>Statements · Pacer</title>" in listed


def test_others_cannot_read_or_dispute_a_statement(client, tiered, other_rep, manager):
    client.force_login(other_rep)
    assert client.get(f"/compensation/statements/{tiered.pk}/").status_code == 404
    url = f"/compensation/statements/{tiered.pk}/dispute/"
    assert client.post(url, {"kind": "missing_deal", "expected": "1"}).status_code == 404
    client.force_login(manager)
    page = client.get(f"/compensation/statements/{tiered.pk}/").content.decode()
    assert "Dispute this line" not in page
    assert client.post(url, {"kind": "missing_deal", "expected": "1"}).status_code == 403
    assert not Dispute.objects.exists()


def test_a_rep_disputes_a_line_and_the_admin_accepts_it_onto_the_next_statement(
    client, tiered, rep, admin_user
):
    line = tiered.lines.order_by("position").last()
    client.force_login(rep)
    url = f"/compensation/statements/{tiered.pk}/dispute/"
    bad = client.post(url, {"kind": "wrong_amount", "line": line.pk, "expected": "lots"})
    assert bad.status_code == 400 and not Dispute.objects.exists()

    client.post(url, {"kind": "wrong_amount", "line": line.pk, "expected": "650"})

    dispute = Dispute.objects.get()
    assert (dispute.line, dispute.expected, dispute.actual) == (line, D(650), D(500))
    assert client.get("/compensation/disputes/").status_code == 403
    client.force_login(admin_user)
    assert f"dispute-{dispute.pk}" in client.get("/compensation/disputes/").content.decode()
    decided = client.post(
        f"/compensation/disputes/{dispute.pk}/decide/",
        {"decision": "accept", "amount": "", "note": "The upsell was at list"},
    )
    assert decided.status_code == 302
    statements_build(period="month", start=FEB, now=NOW)
    february = Statement.objects.get(rep=rep, start=FEB)
    assert (february.total, february.lines.get().kind) == (D(150), "adjustment")
    client.force_login(rep)
    page = client.get(f"/compensation/statements/{february.pk}/").content.decode()
    assert "The upsell was at list" in page and "150.00" in page


def test_an_admin_builds_closes_and_reopens_a_month_from_the_browser(
    client, stages, rep, admin_user, django_capture_on_commit_callbacks
):
    assign(rep, make_plan())
    won_deal(stages, rep, "2000", date(2026, 2, 3))
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        built = client.post("/compensation/runs/start/", {"period": "month", "start": "2026-02-01"})
    run = StatementRun.objects.get()
    assert built.url == f"/compensation/runs/{run.pk}/"
    status = client.get(f"/compensation/runs/{run.pk}/status/").json()
    assert (status["done"], status["reps"], status["reps_done"], status["percent"]) == (
        True,
        1,
        1,
        100,
    )
    assert Statement.objects.get(start=FEB).total == D(200)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/compensation/runs/start/",
            {"period": "month", "start": "2026-02-01", "action": "close"},
        )
    assert Statement.objects.get(start=FEB).is_closed
    review = client.get("/compensation/periods/month/2026-02-01/").content.decode()
    assert 'id="closed-count">1<' in review and "Close the period" not in review

    client.post("/compensation/periods/month/2026-02-01/reopen/", {"reason": "Late deal"})

    assert not Statement.objects.get(start=FEB).is_closed
    entry = AuditEntry.objects.get(action="reopened")
    assert (entry.actor, entry.reason) == (admin_user, "Late deal")


def test_a_period_cannot_reopen_under_a_later_closed_one_and_reps_cannot_run(
    client, tiered, rep, admin_user
):
    statements_close(period="month", start=FEB, by=admin_user, now=NOW)
    client.force_login(admin_user)
    answer = client.post(
        "/compensation/periods/month/2026-01-01/reopen/", {"reason": "Oops"}, follow=True
    )
    assert "reopen the later periods first" in answer.content.decode()
    assert Statement.objects.get(start=JAN).is_closed
    client.force_login(rep)
    assert client.get("/compensation/runs/").status_code == 403
    runs = client.post("/compensation/runs/start/", {"period": "month", "start": "2026-03-01"})
    assert runs.status_code == 403 and not StatementRun.objects.exists()


def test_a_bad_period_start_is_a_clear_error(client, admin_user):
    client.force_login(admin_user)
    answer = client.post("/compensation/runs/start/", {"period": "month", "start": "2026-02-03"})
    assert answer.status_code == 302 and not StatementRun.objects.exists()
    follow = client.get("/compensation/runs/").content.decode()
    assert "2026-02-03 does not start a fiscal month." in follow


def test_the_review_flags_payouts_far_above_the_median_and_compares_the_month_before(
    stages, rep, other_rep, manager, admin_user
):
    plan = make_plan()  # 10 % of bookings
    for who, before, now in (
        (rep, "1000", "1000"),
        (other_rep, "500", "1200"),
        (manager, None, "9000"),
    ):
        assign(who, plan)
        if before:
            won_deal(stages, who, before, date(2026, 1, 9))
        won_deal(stages, who, now, date(2026, 2, 9))
    statements_build(period="month", start=JAN, now=NOW)
    statements_build(period="month", start=FEB, now=NOW)

    review = run_review(Statement.objects.all(), "month", FEB)

    # February pays 100, 120 and 900: the median is 120, and 900 > 5 x 120.
    assert review.totals == (CurrencyTotal("USD", D(1120), D(150), D(120)),)
    flagged = {row.statement.rep.username: row.anomaly for row in review.rows}
    assert flagged["manager"].startswith("over 5 times") and not flagged["rep"]
    changes = {row.statement.rep.username: row.change for row in review.rows}
    assert changes == {"rep": D(0), "other_rep": D(70), "manager": D(900)}
    assert review.totals[0].change == D(1120) - D(150)


def test_pay_in_two_currencies_is_totalled_and_compared_per_currency(
    client, stages, rep, other_rep, manager, admin_user
):
    assign(rep, make_plan())
    assign(other_rep, make_plan("Euro", currency="EUR"))
    assign(manager, make_plan("Euro too", currency="EUR"))
    won_deal(stages, rep, "1000", date(2026, 2, 9))
    won_deal(stages, other_rep, "2000", date(2026, 2, 9), currency="EUR")
    won_deal(stages, manager, "300", date(2026, 2, 10), currency="EUR")
    statements_build(period="month", start=FEB, now=NOW)

    review = run_review(Statement.objects.all(), "month", FEB)

    assert review.totals == (
        CurrencyTotal("EUR", D(230), None, D(115)),
        CurrencyTotal("USD", D(100), None, D(100)),
    )
    assert [summary.totals for summary in run_list(Statement.objects.all())] == [
        (("EUR", D(230)), ("USD", D(100)))
    ]
    client.force_login(admin_user)
    runs = client.get("/compensation/runs/").content.decode()
    assert "230.00 EUR<br>100.00 USD" in runs
    assert 'name="start" value="2026-12-01"' in runs  # the month under way, by default
    period = client.get("/compensation/periods/month/2026-02-01/").content.decode()
    assert "Total pay in EUR" in period and 'title="230.00 EUR"' in period


def test_the_open_statement_shows_what_the_commit_and_each_open_deal_would_pay(
    client, stages, rep, other_rep
):
    from compensation.services.simulations import commit_deals, commit_payout_preview
    from pipeline.models import Deal

    DECEMBER = date(2026, 12, 1)
    assign(rep, make_plan("Tiered", tiers=((0, 5), (100, 10))))
    Quota.objects.create(rep=rep, metric="bookings", period="month", start=DECEMBER, amount=10_000)
    won_deal(stages, rep, "8000", date(2026, 12, 1), name="Won already")
    for name, stage, amount in (("Globex", "Negotiation", 4000), ("Initech", "Proposal", 9000)):
        Deal.objects.create(
            name=name, owner=rep, stage=stages[stage], amount=D(amount),
            created_on=date(2026, 11, 1), expected_close_on=date(2026, 12, 20),
        )  # fmt: skip
    statements_build(period="month", start=DECEMBER, now=NOW)
    december = Statement.objects.get(rep=rep, start=DECEMBER)

    # Now: 8,000 x 5 % = 400. With Globex: 2,000 more at 5 % and 2,000 above quota at 10 %.
    preview = commit_payout_preview(rep, commit_deals(Deal.objects.filter(owner=rep)))
    assert (preview.deals, preview.total_now, preview.total_with) == (1, D(400), D(700))
    client.force_login(rep)
    page = client.get(f"/compensation/statements/{december.pk}/").content.decode()
    assert "If you close your commit (1 deal, 4,000.00 USD)" in page
    assert "<strong>300.00 USD</strong> more" in page
    # Initech alone: 2,000 at 5 % and 7,000 at 10 % = 800.
    assert "Initech" in page and "800.00 USD" in page
    assert Statement.objects.get(pk=december.pk).total == D(400)  # nothing saved
    client.force_login(other_rep)
    assert client.get(f"/compensation/statements/{december.pk}/").status_code == 404
