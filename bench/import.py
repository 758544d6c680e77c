"""Benchmark CSV import: rows per second and peak memory for 100k and 1M generated deals.

    .venv/bin/python bench/import.py [--sizes 100000,1000000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x SECRET_KEY=... \
        .venv/bin/python bench/import.py

Each size runs in its own process on an empty database (a temporary SQLite file, or the
database `pacer_bench_import`, or $PACER_BENCH_DB, recreated on the DATABASE_URL server; the
URL names a database to connect to first, e.g. `postgres`): it creates 200 reps, 1,000
accounts, 10 products and 4 stages, writes a deals CSV of that many rows, imports it (apply:
validation, upsert, deal history), then imports it again (every row unchanged). It prints the
time, rows per second, the Python process's CPU time, the load average and the process's peak
resident memory (ru_maxrss) after setup and after each import, with the growth over setup,
and on PostgreSQL the time of a plain COPY of the same file into a table of text columns
beside the import's; the last line puts the sizes' growth side by side: the importer streams,
so it should be about the same few MB at 1M rows as at 100k.
"""

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchdb import each_in_a_fresh_process

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = os.environ.get("PACER_BENCH_DB", "pacer_bench_import")  # dropped and recreated
REPS, ACCOUNTS, PRODUCTS = 200, 1000, 10
STAGES = [("Prospecting", "open"), ("Proposal", "open"), ("Won", "won"), ("Lost", "lost")]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    """This process's CPU time: on a shared machine, what the import itself cost in Python
    (the rest of its wall time is the database's work, or waiting for a CPU)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_deals(path: Path, rows: int) -> None:
    """A deals CSV, written row by row; closed deals have a close date, open ones may not."""
    rng = random.Random(rows)
    first = date(2024, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["external_id", "name", "account", "owner", "product", "stage", "amount"]
            + ["created_on", "close_date"]
        )
        for n in range(rows):
            stage, kind = STAGES[rng.randrange(len(STAGES))]
            created = first + timedelta(days=rng.randrange(600))
            closed = created + timedelta(days=rng.randrange(1, 120))
            out.writerow(
                [
                    f"BENCH-{n:08d}",
                    f"Deal {n}",
                    f"ACC-{rng.randrange(ACCOUNTS):05d}",
                    f"rep{rng.randrange(REPS):03d}",
                    f"Product {rng.randrange(PRODUCTS)}",
                    stage,
                    f"{rng.randrange(100, 100000)}.{rng.randrange(100):02d}",
                    created.isoformat(),
                    closed.isoformat() if kind != "open" or rng.random() < 0.5 else "",
                ]
            )


def create_reference_data() -> None:
    from org.models import User
    from pipeline.models import Account, Product, Stage

    for order, (name, kind) in enumerate(STAGES, start=1):
        probability = {"open": 10 * order, "won": 100, "lost": 0}[kind]
        Stage.objects.create(name=name, order=order, probability=probability, kind=kind)
    User.objects.bulk_create(User(username=f"rep{n:03d}", role="rep") for n in range(REPS))
    Account.objects.bulk_create(
        Account(external_id=f"ACC-{n:05d}", name=f"Account {n}") for n in range(ACCOUNTS)
    )
    Product.objects.bulk_create(
        Product(name=f"Product {n}", list_price=100) for n in range(PRODUCTS)
    )


def one_size(rows: int) -> None:
    """Runs in a child process, against the empty database its environment names."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from imports.services import import_run_execute, import_run_start
    from pipeline.models import Deal, DealChange

    call_command("migrate", verbosity=0)
    create_reference_data()
    path = Path(tempfile.mkdtemp()) / "deals.csv"
    write_deals(path, rows)
    setup = peak_mb()
    print(f"{rows:>9,} rows  setup done: peak RSS {setup:6.0f} MB", flush=True)
    took = {}
    for label in ("import", "re-import"):
        started, cpu = time.perf_counter(), cpu_seconds()
        run = import_run_start(path=path, kind="deals", dry_run=False)
        report = import_run_execute(run=run)
        seconds = took[label] = time.perf_counter() - started
        assert report.ok, report.errors[:3]
        print(
            f"{rows:>9,} rows  {label:<9} {seconds:7.1f} s  {rows / seconds:8,.0f} rows/s  "
            f"(Python CPU {cpu_seconds() - cpu:.1f} s, load {os.getloadavg()[0]:.1f})  "
            f"peak RSS {peak_mb():6.0f} MB (+{peak_mb() - setup:.0f})  "
            f"created {report.created:,} unchanged {report.unchanged:,}",
            flush=True,
        )
    assert (
        Deal.objects.count() == rows and DealChange.objects.count() == 2 * rows
    )  # opened, then stage or close
    plain_copy(path, rows, took["import"])
    path.unlink()
    figures = Path(os.environ["PACER_VAR_DIR"]) / "figures.json"
    figures.write_text(json.dumps({"rows": rows, "setup": setup, "growth": peak_mb() - setup}))


def plain_copy(path: Path, rows: int, imported: float) -> None:
    """On PostgreSQL: a plain COPY of the same file into a table of text columns, the floor
    an import cannot beat, and the import's time as a multiple of it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        columns = ", ".join(f"c{n} text" for n in range(9))
        cursor.execute(f"CREATE TEMP TABLE plain_copy ({columns})")
        started = time.perf_counter()
        with (
            open(path, "rb") as handle,
            cursor.copy("COPY plain_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while block := handle.read(1 << 16):
                copy.write(block)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE plain_copy")
    print(
        f"{rows:>9,} rows  plain COPY {seconds:6.2f} s; the import took {imported / seconds:.0f} "
        "times as long",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return one_size(args.one)
    sizes = [int(s) for s in args.sizes.split(",")]
    growths = each_in_a_fresh_process(__file__, sizes, BENCH_DB)
    shown = ", ".join(f"{g['rows']:,} rows +{g['growth']:.1f} MB" for g in growths)
    print(f"Peak RSS growth over setup (both imports): {shown}")


if __name__ == "__main__":
    main()
