"""Deals imported through COPY and set-based statements on PostgreSQL: the same errors,
counts, history and rollups as the row-by-row path, and KPIs a hand computation expects."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from core.periods import local_midnight
from imports.bulk import copy_fits
from imports.mapping import mapping_from_header
from pipeline.models import Deal, DealChange
from rollups.fills import deal_close_differences
from rollups.models import DealCloseCell
from rollups.stats import rollups_check, rollups_fill
from tests.factories import AccountFactory, ProductFactory
from tests.imports.conftest import run_import

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

HEADER = "external_id,name,account,owner,product,stage,amount,probability,created_on,close_date\n"
ROWS = [
    "C-1,Big win,ACC-1,rep,Gadget,Won,1000,,2026-01-10,2026-03-01",
    "C-2,Small win,ACC-1,rep,Gadget,Won,500.50,,2026-02-01,2026-03-01",
    "C-3,Lost one,ACC-2,other_rep,Gadget,Lost,300,,2026-02-03,2026-04-15",
    "C-4,Open proposal,ACC-2,rep,Gadget,Proposal,2000,,2026-05-01,2027-01-31",
    "C-5,Own odds,,other_rep,,Prospecting,1000,25,2026-06-01,",
]


@pytest.fixture
def book(stages, rep, other_rep):
    AccountFactory(external_id="ACC-1", name="Acme")
    AccountFactory(external_id="ACC-2", name="Globex")
    ProductFactory(name="Gadget")


def csv(write_csv, rows: list[str]):
    return write_csv(HEADER + "\n".join(rows) + "\n")


def run(path, *, dry_run: bool = False):
    return run_import(path, kind="deals", dry_run=dry_run)


def kpis(*args: str) -> dict:
    out = io.StringIO()
    call_command("kpis", "--format", "json", "--from", "2026-01-01", "--to", "2026-12-31", *args,
                 stdout=out)  # fmt: skip
    return json.loads(out.getvalue())


def test_deal_files_take_the_copy_path_on_postgresql():
    assert copy_fits(mapping_from_header("deals", HEADER.strip().split(",")))
    assert not copy_fits(mapping_from_header("accounts", ["external_id", "name"]))


def test_an_import_gives_the_kpis_history_credit_and_rollups_by_hand(
    book, rep, manager, write_csv, django_capture_on_commit_callbacks
):
    rollups_fill()  # the KPIs read the rollup from now on
    with django_capture_on_commit_callbacks(execute=True):
        _, report = run(csv(write_csv, ROWS))

    assert report.ok and (report.created, report.updated, report.unchanged) == (5, 0, 0)
    total = kpis()["total"]
    # Won 1,000 + 500.50; lost 300. Open: 2,000 at Proposal's 40 %, 1,000 at its own 25 %.
    assert (total["revenue"], total["deals_won"], total["deals_lost"]) == (1500.5, 2, 1)
    assert total["win_rate"] == 0.6667
    assert (total["open_deals"], total["pipeline_amount"]) == (2, 3000)
    assert total["weighted_pipeline"] == 2000 * 0.40 + 1000 * 0.25
    assert deal_close_differences() == set()
    assert rollups_check() == {"deals_closed": 0, "deals_created": 0}
    days = (
        DealCloseCell.objects.filter(grain=DealCloseCell.DAY)
        .values("day")
        .annotate(won=Sum("won"), lost=Sum("lost"), revenue=Sum("revenue"))
    )
    assert [(r["day"], r["won"], r["lost"], r["revenue"]) for r in days.order_by("day")] == [
        (date(2026, 3, 1), 2, 0, Decimal("1500.50")),
        (date(2026, 4, 15), 0, 1, Decimal("0.00")),
    ]

    win = Deal.objects.get(external_id="C-1")
    assert (win.status, win.closed_on, win.forecast_category) == ("won", date(2026, 3, 1), "closed")
    assert (win.closed_owner, win.closed_manager, win.closed_team) == (rep, manager, rep.team)
    assert win.account.name == "Acme" and win.product.name == "Gadget"
    midnight = local_midnight(date(2026, 1, 10))
    assert [
        (c.changed_at, c.changed_fields, c.stage_id, c.status, c.closed_on, c.amount)
        for c in win.changes.all()
    ] == [
        (midnight, "created", None, "open", None, Decimal("1000.00")),
        (midnight.replace(month=3, day=1), "stage,forecast_category,closed_on", win.stage_id,
         "won", date(2026, 3, 1), Decimal("1000.00")),
    ]  # fmt: skip
    odds = Deal.objects.get(external_id="C-5")
    assert (odds.probability, odds.account, odds.closed_owner, odds.expected_close_on) == (
        25, None, None, None,
    )  # fmt: skip
    assert [c.changed_fields for c in odds.changes.all()] == ["created", "stage,forecast_category"]
    assert odds.changes.last().probability == 25


def test_a_file_with_bad_rows_reports_each_and_writes_nothing(book, write_csv):
    rows = [
        ROWS[0],
        "C-2,Bad amount,ACC-1,rep,Gadget,Won,lots,,2026-02-01,2026-03-01",
        "C-3,Early close,ACC-1,rep,Gadget,Won,10,,2026-02-01,2026-01-15",
        "C-1,Same key,ACC-1,rep,Gadget,Won,10,,2026-02-01,2026-03-01",
        "C-4,Nobody,ACC-1,nobody,Gadget,Proposal,10,,2026-02-01,",
        "C-6,Sure thing,ACC-1,rep,Gadget,Proposal,10,120,2026-02-01,",
    ]

    run_, report = run(csv(write_csv, rows))

    assert run_.status == "invalid" and report.error_count == 5
    assert [(e["line"], e["column"], e["value"], e["message"]) for e in run_.errors] == [
        (3, "amount", "lots", "Not a number."),
        (4, "close_date", "2026-01-15", "A deal cannot close before it was created."),
        (5, "external_id", "C-1", "Duplicate external_id: line 2 has the same one."),
        (6, "owner", "nobody", "No user has this name. Import the users first, or let the "
         "mapping create missing ones (create_missing: owner)."),
        (7, "probability", "120", "A win probability is a percent from 0 to 100."),
    ]  # fmt: skip
    assert not Deal.objects.exists() and not DealChange.objects.exists()


def test_a_dry_run_counts_and_writes_nothing(book, write_csv):
    run_, report = run(csv(write_csv, ROWS), dry_run=True)

    assert run_.status == "valid" and (report.created, report.updated) == (5, 0)
    assert not Deal.objects.exists() and not DealChange.objects.exists()


def test_the_same_file_again_changes_nothing_and_writes_nothing(
    book, write_csv, django_capture_on_commit_callbacks
):
    path = csv(write_csv, ROWS)
    with django_capture_on_commit_callbacks(execute=True):
        run(path)
    deals = list(Deal.objects.order_by("id").values())
    history = list(DealChange.objects.order_by("id").values())
    rollup = list(DealCloseCell.objects.order_by("id").values())

    with CaptureQueriesContext(connection) as queries:
        _, report = run(path)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert list(Deal.objects.order_by("id").values()) == deals
    assert list(DealChange.objects.order_by("id").values()) == history
    assert list(DealCloseCell.objects.order_by("id").values()) == rollup
    tables = (Deal._meta.db_table, DealChange._meta.db_table, DealCloseCell._meta.db_table)
    written = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert not [sql for sql in written if any(f'"{t}"' in sql or f" {t} " in sql for t in tables)]


@pytest.mark.django_db(transaction=True)  # each import commits and refills the rollup then
def test_an_updated_file_changes_only_what_changed(book, rep, other_rep, manager, write_csv):
    run(csv(write_csv, ROWS))
    changed = [
        *ROWS[:3],
        "C-4,Open proposal,ACC-2,rep,Gadget,Won,2100,,2026-05-01,2026-11-20",
        "C-5,Own odds,,rep,,Prospecting,1000,25,2026-06-01,",
        "C-7,Newcomer,ACC-1,rep,Gadget,Proposal,10,,2026-11-01,2026-12-20",
    ]

    _, report = run(csv(write_csv, changed))

    assert (report.created, report.updated, report.unchanged) == (1, 2, 3)
    won = Deal.objects.get(external_id="C-4")
    assert (won.status, won.amount, won.closed_on) == ("won", Decimal(2100), date(2026, 11, 20))
    assert won.expected_close_on == date(2027, 1, 31)  # a closed deal keeps its expected date
    assert (won.forecast_category, won.closed_owner, won.closed_manager) == ("closed", rep, manager)
    latest = won.changes.order_by("-id").first()
    assert latest.changed_fields == "stage,amount,forecast_category,closed_on"
    moved = Deal.objects.get(external_id="C-5")
    assert moved.owner == rep and moved.changes.order_by("-id").first().changed_fields == "owner"
    assert deal_close_differences() == set()
    assert kpis()["total"]["revenue"] == 1000 + 500.5 + 2100
