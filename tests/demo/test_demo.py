"""The demo company: complete, believable, built once, and the same again for the same seed.

One small demo is built for the whole module inside a transaction rolled back at its end; each
test runs in a savepoint inside it, so tests that reset or rebuild leave it as it was.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum

from core.periods import period_containing
from demo.build import LOGINS, PASSWORD, demo_load, demo_reset
from demo.org import username_for
from forecasting.call_accuracy import call_accuracy
from forecasting.models import ForecastCall
from org.models import Role, User
from pipeline.crediting import credited_to_tree
from pipeline.models import Account, Deal, DealChange, Subscription, SurveyResponse
from territories.models import Territory
from tests.clock import TODAY
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

SMALL = 0.05


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(seed=7, scale=SMALL, today=TODAY)
        transaction.set_rollback(True)


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", "--scale", str(SMALL), *args, stdout=out)
    return out.getvalue()


def deal_fingerprint() -> tuple:
    deals = Deal.objects.order_by("external_id")
    return (
        deals.count(),
        deals.aggregate(total=Sum("amount"))["total"],
        list(deals.values_list("owner__username", "stage__name", "created_on", "closed_on")),
    )


def test_every_table_gets_rows(demo):
    assert len(demo) == 15
    assert {label for label, count in demo.items() if count == 0} == set()


def test_org_is_three_regions_of_areas_of_territories(demo):
    regions = Territory.objects.filter(kind="region")
    assert sorted(regions.values_list("name", flat=True)) == ["Central", "East", "West"]
    assert all(region.parent is None for region in regions)
    for region in regions:
        areas = region.children.all()
        assert 1 <= len(areas) <= 2 and {area.kind for area in areas} == {"area"}
        for area in areas:
            assert 2 <= area.children.filter(kind="territory").count() <= 3


def test_people_have_a_reporting_line_up_to_the_executives(demo):
    roles = Counter(User.objects.values_list("role", flat=True))
    assert roles == {Role.REP: 35, Role.MANAGER: 6, Role.EXECUTIVE: 2, Role.ADMIN: 1}
    vp = User.objects.get(username="exec")
    assert vp.manager.role == Role.EXECUTIVE and vp.manager.manager is None
    managers = User.objects.filter(role=Role.MANAGER)
    assert set(managers.values_list("manager", flat=True)) == {vp.pk}
    assert all(manager.managed_teams.count() == 1 for manager in managers)
    reps = User.objects.filter(role=Role.REP)
    assert not reps.filter(Q(manager=None) | Q(team=None)).exists()
    assert not reps.exclude(team__manager=F("manager")).exists()


def test_demo_logins_sign_in_with_the_demo_password(demo):
    for role, username in LOGINS:
        user = User.objects.get(username=username)
        assert (user.role, user.check_password(PASSWORD)) == (role, True)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="rep").manager.username == "manager"
    others = User.objects.exclude(username__in=[username for _, username in LOGINS])
    assert all(u.username == username_for(u.first_name, u.last_name) for u in others)
    assert all(u.check_password(PASSWORD) for u in others[:3])


def test_reps_have_territories_a_few_moved_and_a_few_are_new(demo):
    reps = User.objects.filter(role=Role.REP)
    assert all(rep.territory_assignments.filter(end=None).count() == 1 for rep in reps)
    moved = [rep for rep in reps if rep.territory_assignments.count() == 2]
    assert len(moved) == 2
    for rep in moved:
        old, new = rep.territory_assignments.order_by("start")
        assert old.end < new.start and old.territory != new.territory
    newest = reps.order_by("-hired_on").first()
    # Hired at most 80 days before the year of pay statements, 2025-12-01.
    assert date(2025, 9, 12) <= newest.hired_on < date(2025, 12, 1)


def test_loading_again_changes_nothing(demo):
    output = load()
    assert "already loaded" in output
    assert demo_load(seed=7, scale=SMALL, today=TODAY) == demo


def test_the_same_seed_rebuilds_the_same_deals_after_a_reset(demo):
    first = deal_fingerprint()
    load("--reset", "--seed", "7")
    assert deal_fingerprint() == first


def test_refuses_to_mix_with_other_deals_unless_reset(demo):
    demo_reset()
    foreign = DealFactory()
    with pytest.raises(CommandError, match="not demo data"):
        load()
    load("--reset")
    assert not Deal.objects.filter(pk=foreign.pk).exists()
    assert Deal.objects.exists()


def test_every_deal_has_history_ending_in_its_current_stage(demo):
    latest = DealChange.objects.filter(deal=OuterRef("pk")).order_by("-changed_at", "-id")
    deals = Deal.objects.annotate(last_stage=Subquery(latest.values("stage")[:1]))
    assert not deals.filter(last_stage=None).exists()
    assert not deals.exclude(last_stage=F("stage")).exists()
    created = DealChange.objects.filter(changed_fields="created")
    assert created.count() == Deal.objects.count()
    assert all(row.changed_at.date() == row.deal.created_on for row in created[:200])
    won = Deal.objects.filter(status="won")
    assert won.exists() and set(won.values_list("stage__name", flat=True)) == {"Closed Won"}


def test_history_moves_forward_in_time_and_stage_order(demo):
    rows = DealChange.objects.order_by("deal_id", "id").values_list(
        "deal_id", "changed_at", "stage__order"
    )
    previous = None
    for row in rows:
        if previous and previous[0] == row[0]:
            assert row[1] > previous[1] and row[2] > previous[2]
        previous = row


def test_closed_deals_close_after_they_are_created_and_some_stay_open(demo):
    closed = Deal.objects.exclude(status="open")
    assert not closed.filter(Q(closed_on=None) | Q(closed_on__lt=F("created_on"))).exists()
    open_deals = Deal.objects.filter(status="open")
    assert open_deals.filter(closed_on=None).count() == open_deals.count() > 0
    assert Deal.objects.filter(status="lost").exclude(lost_reason="").exists()


def test_today_sets_where_the_history_ends(demo):
    load("--reset", "--today", "2027-03-31")
    assert Deal.objects.latest("created_on").created_on <= date(2027, 3, 31)
    assert Deal.objects.filter(closed_on__gt=date(2027, 3, 1)).exists()
    with pytest.raises(CommandError, match="'2027-02-30' is not a date in the form YYYY-MM-DD"):
        load("--today", "2027-02-30")


def test_subscriptions_are_recurring_and_some_churn_or_expand(demo):
    rows = Subscription.objects.select_related("product")
    assert {row.product.billing for row in rows} == {"recurring"}
    starts = {(row.account_id, row.product_id, row.start) for row in rows}
    ended = [row for row in rows if row.end is not None]
    successors = [row for row in ended if (row.account_id, row.product_id, row.end) in starts]
    assert successors and len(successors) < len(ended)
    for old in successors[:20]:
        new = rows.get(account=old.account_id, product=old.product_id, start=old.end)
        assert new.mrr > old.mrr


def test_survey_answers_look_like_real_customers(demo):
    csat = list(SurveyResponse.objects.filter(kind="csat").values_list("score", flat=True))
    nps = list(SurveyResponse.objects.filter(kind="nps").values_list("score", flat=True))
    assert set(csat) <= set(range(1, 6)) and set(nps) <= set(range(11))
    assert 3.6 <= sum(csat) / len(csat) <= 4.5
    net = (sum(s >= 9 for s in nps) - sum(s <= 6 for s in nps)) / len(nps)
    assert -0.1 <= net <= 0.6


def test_full_scale_builds_a_company_and_prints_the_logins(demo):
    demo_reset()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Deal.objects.count() >= 8000
    assert Deal.objects.filter(status="won").count() >= 2000
    assert User.objects.get(username="exec").direct_reports.count() == 6
    assert Account.objects.count() >= 500
    output = out.getvalue()
    assert "pipeline.Deal" in output and "Done in" in output
    assert all(f"{username} " in output for _, username in LOGINS)
    closed = Deal.objects.filter(status="won").values_list("closed_on", flat=True)
    month_of_quarter = Counter(
        (day.month - period_containing(day, "quarter").start.month) % 12 for day in closed
    )
    assert month_of_quarter[2] > 1.3 * month_of_quarter[0]
    rep = User.objects.get(username="rep")
    calls = rep.activities.filter(kind="call").dates("occurred_at", "day")
    per_day = rep.activities.filter(kind="call").count() / len(calls)
    assert 7 <= per_day <= 12


def test_every_manager_has_called_each_past_month_and_quarter_of_the_year(demo):
    managers = User.objects.filter(role=Role.MANAGER)
    for manager in managers:
        every = ForecastCall.objects.filter(scope_kind="manager", scope_key=str(manager.pk))
        calls = every.filter(period_start__lt=date(2026, 12, 1))
        assert calls.filter(period_kind="month").count() == 12
        assert calls.filter(period_kind="quarter", period_start__lt=date(2026, 10, 1)).count() == 4
        # The current periods: December called on its first day, the quarter on 2026-10-10
        # and again three days ago.
        current = every.filter(
            Q(period_kind="month", period_start=date(2026, 12, 1))
            | Q(period_kind="quarter", period_start=date(2026, 10, 1))
        )
        assert sorted((c.period_kind, c.made_at.date().isoformat()) for c in current) == [
            ("month", "2026-12-01"),
            ("quarter", "2026-10-10"),
            ("quarter", "2026-11-29"),
        ]
        assert all(c.best_case >= c.amount >= 0 for c in calls)
        tree = User.objects.filter(Q(pk=manager.pk) | Q(manager=manager)).values("pk")
        won = Deal.objects.filter(credited_to_tree(manager.pk, tree))
        score = call_accuracy(calls, won, "month", TODAY)
        assert len(score.periods) == 12 and score.wape is not None


def test_every_rep_has_a_closed_monthly_statement_for_each_month_of_the_year(demo):
    from compensation.models import Statement

    year = [date(2025, 12, 1), *(date(2026, month, 1) for month in range(1, 12))]
    reps = User.objects.filter(role=Role.REP)
    assert reps.count() >= 30
    for rep in reps:
        closed = Statement.objects.filter(rep=rep, period="month", status="closed")
        assert sorted(closed.values_list("start", flat=True)) == year, rep
        totals = closed.annotate(lines_total=Sum("lines__amount"))
        assert all(s.total == (s.lines_total or 0) for s in totals), rep


def test_the_recent_hires_ramp_on_a_recoverable_draw_during_the_year(demo):
    from compensation.models import Statement

    ramping = Statement.objects.filter(plan__name="Account Executive (ramp)", period="month")
    # Hired less than 180 days before the year's first month, 2025-12-01.
    new = User.objects.filter(role=Role.REP, hired_on__gt=date(2025, 6, 4)).values("pk")
    assert set(ramping.filter(start=date(2025, 12, 1)).values_list("rep", flat=True)) == {
        rep["pk"] for rep in new
    }
    assert ramping.filter(start=date(2025, 12, 1)).count() >= 3
    # A small demo's ramping reps earn less than the 2,500 draw: it tops up their first month.
    first = ramping.filter(start=date(2025, 12, 1))
    assert all(s.lines.filter(kind="draw", amount__gt=0).exists() for s in first)


def test_demo_statement_totals_are_the_sum_of_their_lines(demo):
    from compensation.models import Statement

    statements = Statement.objects.annotate(lines_total=Sum("lines__amount"))
    assert statements.count() > 400
    assert all(s.total == (s.lines_total or 0) for s in statements)


def test_demo_pay_has_tiers_draws_clawbacks_a_spif_overrides_and_a_dispute(demo):
    from compensation.models import Dispute, Statement, StatementLine

    kinds = set(StatementLine.objects.values_list("kind", flat=True))
    assert {"commission", "spif", "draw", "clawback", "bonus"} <= kinds
    accelerated = StatementLine.objects.filter(kind="commission", rate=Decimal(10))
    assert accelerated.exists()
    managers = Statement.objects.filter(rep__role=Role.MANAGER, period="quarter")
    assert managers.filter(status="closed").count() == 6 * 4
    assert Dispute.objects.get().statement.rep.username == "rep"


def test_the_rep_dashboard_shows_commission_earned_in_the_demo(demo):
    from compensation.models import Statement
    from dashboards.commission import commission_so_far

    rep = User.objects.get(username="rep")
    found = commission_so_far(rep, rep, TODAY)
    current = Statement.objects.get(rep=rep, period="month", start=date(2026, 12, 1))
    assert found is not None and found.text == f"{current.total:,.2f} USD"
