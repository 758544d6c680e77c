"""Upserts by external id: the same file changes nothing, an updated file only what changed."""

from datetime import date
from decimal import Decimal

import pytest

from imports.services import import_run_progress
from pipeline.models import Deal, DealChange, ImportedKey, ImportRun, Subscription
from tests.clock import TODAY
from tests.imports.conftest import TELCO, run_import

HEADER = "external_id,name,owner,stage,amount,created_on,close_date\n"
ROWS = [
    "D-1,First,rep,Prospecting,100,2026-01-05,",
    "D-2,Second,rep,Won,250,2026-01-06,2026-02-01",
    "D-3,Third,rep,Negotiation,75,2026-01-07,2026-03-31",
]


def write(write_csv, rows):
    return write_csv(HEADER + "\n".join(rows) + "\n")


def test_dry_run_counts_and_changes_nothing(stages, rep, write_csv):
    run, report = run_import(write(write_csv, ROWS), kind="deals", dry_run=True)

    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert run.status == "valid" and Deal.objects.count() == 0
    assert not ImportedKey.objects.exists()


def test_the_same_file_again_changes_nothing(stages, rep, write_csv):
    path = write(write_csv, ROWS)
    run_import(path, kind="deals")
    history = list(DealChange.objects.values_list("id", flat=True))

    run, report = run_import(path, kind="deals")

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(DealChange.objects.values_list("id", flat=True)) == history
    assert run.status == "applied" and not ImportedKey.objects.exists()


def test_an_updated_file_changes_only_what_changed(stages, rep, manager, write_csv):
    run_import(write(write_csv, ROWS), kind="deals")
    before = Deal.objects.get(external_id="D-3")
    changed = [
        ROWS[0],
        ROWS[1],
        "D-3,Third,rep,Won,80,2026-01-07,2026-03-02",
        "D-4,New,manager,Proposal,5,2026-01-09,",
    ]

    _, report = run_import(write(write_csv, changed), kind="deals")

    assert (report.created, report.updated, report.unchanged) == (1, 1, 2)
    deal = Deal.objects.get(external_id="D-3")
    assert (deal.status, deal.amount, deal.closed_on) == ("won", Decimal(80), date(2026, 3, 2))
    assert deal.expected_close_on == before.expected_close_on == date(2026, 3, 31)
    latest = deal.changes.order_by("-id").first()
    assert latest.changed_fields == "stage,amount,forecast_category,closed_on"
    # Two rows per imported deal (open from its created date, then its stage), one update.
    assert DealChange.objects.count() == 3 * 2 + 2 + 1


def test_telco_customers_become_accounts_with_a_subscription(db):
    if not TELCO.exists():
        pytest.skip(f"the telco data set is not at {TELCO}")
    import pandas as pd

    frame = pd.read_csv(TELCO)

    _, report = run_import(TELCO, mapping="telco_churn.yaml")

    assert (report.created, report.error_count, report.notes) == (7043, 0, {"accounts": 7043})
    active = Subscription.objects.filter(end__isnull=True)
    assert active.count() == (frame["Churn"] == "No").sum() == 5174
    assert Subscription.objects.filter(end=date(2018, 1, 1)).count() == 1869
    total = sum(Decimal(str(v)) for v in frame.loc[frame["Churn"] == "No", "MonthlyCharges"])
    assert sum(s.mrr for s in active) == total
    first = Subscription.objects.get(account__external_id="7590-VHVEG")  # tenure 1, 29.85
    assert (first.start, first.mrr, first.end) == (date(2017, 12, 1), Decimal("29.85"), None)
    longest = frame.loc[frame["tenure"].idxmax()]
    assert Subscription.objects.get(account__name=longest["customerID"]).start == date(2012, 1, 1)
    _, again = run_import(TELCO, mapping="telco_churn.yaml")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7043)


def test_a_crash_is_logged_and_changes_nothing(stages, rep, write_csv, monkeypatch):
    from django.db import DatabaseError

    from imports.bulk.staging import Staging
    from imports.job import Job

    def crash(*args):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Job, "link", crash)
    monkeypatch.setattr(Staging, "write", crash)  # the set-based path, on PostgreSQL

    with pytest.raises(DatabaseError):
        run_import(write(write_csv, ROWS), kind="deals")

    run = ImportRun.objects.get()
    assert (run.status, run.errors[0]["message"]) == (
        "failed",
        "The import stopped: DatabaseError('disk full')",
    )
    assert not Deal.objects.exists() and not DealChange.objects.exists()
    assert import_run_progress(run) == 0  # no rows read are left showing


def test_an_account_moved_by_a_file_keeps_its_history(db, write_csv):
    from pipeline.models import AccountAssignment
    from territories.models import Territory

    Territory.objects.create(name="North", kind="territory")
    south = Territory.objects.create(name="South", kind="territory")
    header = "external_id,name,territory\n"
    run_import(write_csv(header + "A-1,Acme,North\n"), kind="accounts")
    _, report = run_import(write_csv(header + "A-1,Acme,South\n"), kind="accounts")
    assert (report.created, report.updated) == (0, 1)
    # The account came in today, so the move replaces its first row (same day).
    rows = AccountAssignment.objects.values_list("territory", "start", "end", "source")
    assert list(rows) == [(south.pk, TODAY, None, "import")]


def test_an_apply_forgets_its_keys_range_by_range_and_only_its_own(stages, rep, write_csv):
    other = ImportRun.objects.create(file_name="o.csv", sha256="0" * 64, source_path="/o")
    ImportedKey.objects.create(run=other, key="OTHER-1", line=2)

    run, report = run_import(write(write_csv, ROWS), kind="deals", chunk_size=2)

    assert report.ok and report.created == len(ROWS)
    assert not ImportedKey.objects.filter(run=run).exists()
    assert list(ImportedKey.objects.values_list("key", flat=True)) == ["OTHER-1"]


def test_deals_handed_to_another_rep_keep_their_credit_at_close(stages, rep, other_rep, write_csv):
    """With `territory_from_owner`, a re-import naming another owner moves the open deal to
    that owner's territory; the closed one changes owner but keeps its closer and territory."""
    from territories.models import Territory, TerritoryAssignment

    north, south = (Territory.objects.create(name=n, kind="territory") for n in ("North", "South"))
    TerritoryAssignment.objects.create(rep=rep, territory=north, start=date(2026, 1, 1))
    TerritoryAssignment.objects.create(rep=other_rep, territory=south, start=date(2026, 1, 1))
    mapping = write_csv('{"kind": "deals", "territory_from_owner": true, "columns": {'
                        '"external_id": "external_id", "name": "name", "owner": "owner", '
                        '"stage": "stage", "amount": "amount", "created_on": "created_on", '
                        '"close_date": "close_date"}}', "deals.json")  # fmt: skip
    run_import(write(write_csv, ROWS[:2]), mapping=str(mapping))

    handed = [row.replace(",rep,", ",other_rep,") for row in ROWS[:2]]
    _, report = run_import(write(write_csv, handed), mapping=str(mapping))

    assert (report.updated, report.error_count) == (2, 0)
    deals = Deal.objects.order_by("external_id")
    assert [(d.owner, d.territory, d.closed_owner, d.closed_territory) for d in deals] == [
        (other_rep, south, None, None),
        (other_rep, north, rep, north),
    ]
