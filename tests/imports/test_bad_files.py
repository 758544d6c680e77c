"""Bad files: a clear message naming the line and column, and the database unchanged."""

import pytest

from pipeline.models import Account, Deal, DealChange, ImportedKey, ImportRun
from tests.factories import AccountFactory
from tests.imports.conftest import run_import

HEADER = "external_id,name,account,owner,stage,amount,created_on,close_date\n"
GOOD = (
    "D-1,First,Acme,rep,Prospecting,100,2026-01-05,\n"
    "D-2,Second,Acme,rep,Won,250,2026-01-06,2026-02-01\n"
)


@pytest.fixture
def world(stages, rep):
    AccountFactory(name="Acme", external_id="ACME")


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Deal, DealChange, Account, ImportedKey)}


def import_refused(path) -> list[tuple[int, str, str]]:
    """Import `path`; assert it changed nothing and return its errors as (line, column, text)."""
    before = counts()
    run, report = run_import(path, kind="deals")
    assert counts() == before
    run.refresh_from_db()
    assert run.status == "invalid" and run.error_count == report.error_count > 0
    return [(e["line"], e["column"], e["message"]) for e in run.errors]


def test_a_good_file_imports(world, write_csv):
    run, report = run_import(write_csv(HEADER + GOOD), kind="deals")

    assert (report.created, report.error_count, run.status) == (2, 0, "applied")
    assert Deal.objects.get(external_id="D-2").closed_on.isoformat() == "2026-02-01"
    assert Deal.objects.get(external_id="D-1").account.name == "Acme"


def test_wrong_encoding(world, write_csv):
    content = (HEADER + GOOD + "D-3,Café,Acme,rep,Won,5,2026-01-05,2026-01-09\n").encode("latin-1")

    [(line, column, message)] = import_refused(write_csv(content))

    assert (line, column) == (4, "")
    assert message.startswith("The file is not UTF-8 (byte 0xe9 at position 8 of the line)")


def test_missing_required_column(world, write_csv):
    path = write_csv(
        "external_id,name,account,owner,amount,created_on\nD-1,x,Acme,rep,1,2026-01-05\n"
    )

    assert import_refused(path) == [
        (1, "stage", "Missing required column 'stage' (or Deal Stage).")
    ]


def test_unknown_stage(world, write_csv):
    path = write_csv(HEADER + GOOD + "D-3,Third,Acme,rep,Closed Won,5,2026-01-05,2026-01-09\n")

    [(line, column, message)] = import_refused(path)

    assert (line, column) == (4, "stage")
    assert message.startswith("No stage has this name.")


def test_bad_date(world, write_csv):
    path = write_csv(
        HEADER + "D-1,First,Acme,rep,Prospecting,100,2026-13-05,\n" + GOOD[GOOD.index("D-2") :]
    )

    assert import_refused(path) == [(2, "created_on", "Not a date in the format YYYY-MM-DD.")]


def test_negative_amount(world, write_csv):
    path = write_csv(HEADER + GOOD + "D-3,Third,Acme,rep,Prospecting,-5,2026-01-05,\n")

    assert import_refused(path) == [(4, "amount", "A deal amount cannot be negative.")]


def test_duplicate_external_id_within_the_file(world, write_csv):
    path = write_csv(HEADER + GOOD + "D-1,Again,Acme,rep,Prospecting,7,2026-01-05,\n")

    assert import_refused(path) == [
        (4, "external_id", "Duplicate external_id: line 2 has the same one.")
    ]


def test_duplicate_in_a_later_chunk_is_found(world, write_csv):
    path = write_csv(HEADER + GOOD + "D-1,Again,Acme,rep,Prospecting,7,2026-01-05,\n")
    before = counts()

    _, report = run_import(path, kind="deals", chunk_size=1)

    assert [(e.line, e.message) for e in report.errors] == [
        (4, "Duplicate external_id: line 2 has the same one.")
    ]
    assert counts() == before


def test_reference_to_a_missing_account(world, write_csv):
    path = write_csv(HEADER + GOOD + "D-3,Third,Nope Inc,rep,Prospecting,5,2026-01-05,\n")

    [(line, column, message)] = import_refused(path)

    assert (line, column) == (4, "account")
    assert message.startswith("No account has this name.")


def test_empty_file(world, write_csv):
    assert import_refused(write_csv("")) == [(1, "", "The file is empty: there is no header line.")]


def test_header_only(world, write_csv):
    assert import_refused(write_csv(HEADER)) == [(2, "", "The file has a header but no data rows.")]


def test_closed_deal_needs_a_closed_date(world, write_csv):
    path = write_csv(HEADER + "D-1,First,Acme,rep,Won,100,2026-01-05,\n")

    assert import_refused(path) == [
        (2, "close_date", "A won or lost deal needs a closed date; an open deal cannot have one.")
    ]


def test_every_bad_row_is_reported_and_good_rows_are_not_kept(world, write_csv):
    bad = "D-3,x,Acme,rep,Nowhere,5,2026-01-05,\nD-4,y,Acme,nobody,Prospecting,abc,2026-01-05,\n"

    errors = import_refused(write_csv(HEADER + GOOD + bad))

    assert [(line, column) for line, column, _ in errors] == [
        (4, "stage"),
        (5, "amount"),
        (5, "owner"),
    ]
    assert errors[1][2] == "Not a number."
    assert errors[2][2].startswith("No user has this name.")
    assert not ImportRun.objects.filter(status="applied").exists()
