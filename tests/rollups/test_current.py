"""Every write path leaves the daily rollup equal to the raw deals once it commits, and the
nightly check finds and repairs what escaped it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from imports.services import import_run_execute, import_run_start
from pipeline.locking import deal_recredit
from pipeline.models import Account, Deal, Product
from rollups.fills import deal_close_differences, deal_create_differences
from rollups.models import DealCloseCell, DealCreateCell, FillState
from rollups.stats import rollups_check, rollups_fill
from tests.factories import AccountFactory, DealFactory, ProductFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)
MARCH_3 = date(2026, 3, 3)


@pytest.fixture
def deal(rep, stages):
    account = AccountFactory(owner=rep, segment="smb")
    product = ProductFactory(name="Cloud", billing="one_time")
    return DealFactory(
        owner=rep,
        account=account,
        product=product,
        stage=stages["Won"],
        amount=Decimal("120.25"),
        created_on=date(2026, 2, 1),
        closed_on=MARCH_3,
    )


def rolled(**where) -> list[tuple]:
    """The day rows: day, owner, segment, won, revenue and its recurring part."""
    rows = DealCloseCell.objects.filter(grain="day", **where).order_by("day", "owner_id")
    columns = ("day", "owner_id", "segment", "won", "revenue", "revenue_recurring")
    return list(rows.values_list(*columns))


def opportunities(grain: str = "day") -> list[tuple]:
    rows = DealCreateCell.objects.filter(grain=grain).order_by("day", "owner_id")
    return list(rows.values_list("day", "owner_id", "team_id", "deals"))


def months() -> list[tuple]:
    rows = DealCloseCell.objects.filter(grain="month").order_by("day", "owner_id")
    return list(rows.values_list("day", "owner_id", "won", "lost", "revenue", "cycles"))


def test_a_won_deal_is_rolled_up_at_once(deal, rep):
    assert rolled() == [(MARCH_3, rep.pk, "smb", 1, Decimal("120.25"), Decimal("0.00"))]
    # Created 1 February, closed 3 March: one deal of a 30-day cycle in the month's row.
    assert months() == [(date(2026, 3, 1), rep.pk, 1, 0, Decimal("120.25"), "30 1")]


def test_an_edit_moves_the_figure_and_the_day(deal, rep):
    deal.amount = Decimal("99.99")
    deal.closed_on = date(2026, 3, 9)
    deal.save()
    assert rolled() == [(date(2026, 3, 9), rep.pk, "smb", 1, Decimal("99.99"), Decimal("0.00"))]
    assert months() == [(date(2026, 3, 1), rep.pk, 1, 0, Decimal("99.99"), "36 1")]


def test_a_queryset_update_and_a_bulk_update(deal, rep, stages):
    Deal.objects.filter(pk=deal.pk).update(amount=Decimal("10"))
    assert rolled()[0][4] == Decimal("10.00")
    deal.refresh_from_db()
    deal.amount = Decimal("11")
    Deal.objects.bulk_update([deal], ["amount"])
    assert rolled()[0][4] == Decimal("11.00")
    Deal.objects.filter(pk=deal.pk).update(stage=stages["Proposal"], closed_on=None)  # reopened
    assert rolled() == []
    assert months() == []


def test_a_delete_and_a_recredit(deal, rep, other_rep, admin_user, stages):
    deal_recredit(deal, to=other_rep, by=admin_user, reason="Split agreed")
    assert rolled() == [(MARCH_3, other_rep.pk, "smb", 1, Decimal("120.25"), Decimal("0.00"))]
    Deal.objects.get(pk=deal.pk).delete()
    assert rolled() == []


def test_an_account_s_segment_and_a_product_s_billing_regroup(deal, rep):
    account = Account.objects.get(pk=deal.account_id)
    account.segment = "enterprise"
    account.save()
    product = Product.objects.get(pk=deal.product_id)
    product.billing = "recurring"
    product.save()
    assert rolled() == [(MARCH_3, rep.pk, "enterprise", 1, Decimal("120.25"), Decimal("120.25"))]


def test_an_import_is_rolled_up(stages, rep, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(
        "external_id,name,owner,stage,amount,created_on,close_date\n"
        "D-1,One,rep,Won,250,2026-01-06,2026-02-01\n"
        "D-2,Two,rep,Lost,75,2026-01-07,2026-02-01\n"
    )
    run = import_run_start(path=path, mapping="", kind="deals", dry_run=False)
    assert import_run_execute(run=run).created == 2
    assert deal_close_differences() == set()
    assert sum(row[3] for row in rolled()) == 1  # one won, one lost
    assert [row[2:4] for row in months()] == [(1, 1)]


def test_the_nightly_check_repairs_what_raw_sql_changed(deal, rep):
    # Its close day and month, its created day and month.
    assert rollups_fill() == {"deals_closed": 2, "deals_created": 2}
    table = connection.ops.quote_name(Deal._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET amount = 500 WHERE id = %s", [deal.pk])
    # The day and the month it is in (a month is named by its first day).
    assert deal_close_differences() == {MARCH_3, date(2026, 3, 1)}
    assert rollups_check() == {"deals_closed": 2, "deals_created": 0}
    assert rolled()[0][4] == Decimal("500.00")
    assert months()[0][4] == Decimal("500.00")
    state = FillState.objects.get(stat="deals_closed")
    assert (state.state, state.repaired_days) == ("done", 2)
    assert rollups_check() == {"deals_closed": 0, "deals_created": 0}


def test_an_open_deal_s_opportunity_follows_its_owner_and_their_team(rep, other_rep, stages):
    deal = DealFactory(owner=rep, stage=stages["Proposal"], created_on=date(2026, 2, 5))
    assert opportunities() == [(date(2026, 2, 5), rep.pk, rep.team_id, 1)]
    assert opportunities("month") == [(date(2026, 2, 1), rep.pk, rep.team_id, 1)]
    Deal.objects.filter(pk=deal.pk).update(owner=other_rep)
    assert opportunities() == [(date(2026, 2, 5), other_rep.pk, other_rep.team_id, 1)]
    other_rep.team = TeamFactory(name="Hunters")
    other_rep.save()
    assert opportunities() == [(date(2026, 2, 5), other_rep.pk, other_rep.team_id, 1)]
    Deal.objects.get(pk=deal.pk).delete()
    assert opportunities() == opportunities("month") == []
    assert deal_create_differences() == set()


def test_a_won_deal_s_opportunity_stays_with_its_closer(deal, rep, other_rep):
    Deal.objects.filter(pk=deal.pk).update(owner=other_rep)  # handed over after it closed
    assert opportunities() == [(date(2026, 2, 1), rep.pk, rep.team_id, 1)]
