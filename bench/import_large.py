"""Benchmark a large CSV import the way the upload page runs one: saved, dry run, then applied.

    .venv/bin/python bench/import_large.py [--megabytes 10,50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x SECRET_KEY=... \
        .venv/bin/python bench/import_large.py

Each size runs in its own process on an empty database (a temporary SQLite file, or the
database `pacer_bench_import_large` recreated on the DATABASE_URL server), with the reference
data of bench/import.py (200 reps, 1,000 accounts, 10 products, 4 stages) and a generated
deals CSV of about that many megabytes. It saves the file into the upload folder (as the
upload page does), counts its rows, runs the dry run, then applies it through the services
the views call (`import_run_start`, `import_run_execute`, `import_run_apply`), and prints the
rows, seconds, rows per second and the process's peak resident memory (ru_maxrss) over setup
after each step. The last lines put the sizes side by side: the importer streams, so the
peak should be about the same for 50 MB as for 10 MB, not five times it.
"""

import argparse
import importlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from benchdb import each_in_a_fresh_process

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "pacer_bench_import_large"
MB = 1024 * 1024
small = importlib.import_module("import")  # bench/import.py: the reference data and CSV rows


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_deals_of_size(path: Path, megabytes: float) -> int:
    """A deals CSV of about `megabytes`; returns its rows (the size per row is measured)."""
    small.write_deals(path, 2000)
    rows = int(megabytes * MB / (path.stat().st_size / 2000))
    small.write_deals(path, rows)
    return rows


def one_size(megabytes: float) -> None:
    """Runs in a child process, against the empty database its environment names."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command

    from imports.services import import_run_apply, import_run_execute, import_run_start
    from imports.uploads import upload_save
    from pipeline.models import Deal

    call_command("migrate", verbosity=0)
    small.create_reference_data()
    source = Path(tempfile.mkdtemp()) / "deals.csv"
    rows = write_deals_of_size(source, megabytes)
    size = source.stat().st_size / MB
    setup = peak_mb()
    print(f"{size:5.1f} MB {rows:>9,} rows  setup done: peak RSS {setup:4.0f} MB", flush=True)
    figures = {"megabytes": size, "rows": rows, "setup": setup}

    def line(label: str, seconds: float, extra: str = "") -> None:
        growth = peak_mb() - setup
        figures[label] = {"seconds": seconds, "growth": growth}
        print(
            f"{size:5.1f} MB {rows:>9,} rows  {label:<8} {seconds:7.1f} s "
            f"{rows / seconds:10,.0f} rows/s  peak RSS {peak_mb():4.0f} MB (+{growth:.1f}) {extra}",
            flush=True,
        )

    started = time.perf_counter()
    with open(source, "rb") as handle:
        path = upload_save(File(handle, name="deals.csv"))
    checked = import_run_start(path=path, kind="deals", dry_run=True, file_name="deals.csv")
    line("save", time.perf_counter() - started, f"total_rows {checked.total_rows:,}")
    assert checked.total_rows == rows, (checked.total_rows, rows)

    started = time.perf_counter()
    report = import_run_execute(run=checked)
    line("dry run", time.perf_counter() - started, f"would create {report.created:,}")
    assert report.ok and report.created == rows, report.errors[:3]

    started = time.perf_counter()
    run = import_run_apply(checked=checked)
    report = import_run_execute(run=run)
    line("apply", time.perf_counter() - started, f"created {report.created:,}")
    assert report.ok and report.created == rows == Deal.objects.count(), report.errors[:3]
    assert not path.exists()  # the upload is deleted once applied
    source.unlink()
    out = Path(os.environ["PACER_VAR_DIR"]) / "figures.json"
    out.write_text(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", default="10,50")
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return one_size(args.one)
    megabytes = [float(s) for s in args.megabytes.split(",")]
    sizes = each_in_a_fresh_process(__file__, megabytes, BENCH_DB)
    for step in ("dry run", "apply"):
        shown = ", ".join(
            f"{s['megabytes']:.0f} MB ({s['rows']:,} rows) +{s[step]['growth']:.1f} MB"
            for s in sizes
        )
        print(f"Peak RSS growth over setup after the {step}: {shown}")
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        print(
            f"{last['megabytes'] / first['megabytes']:.1f}x the file: "
            f"{last['apply']['growth'] / max(first['apply']['growth'], 0.1):.1f}x the growth"
        )


if __name__ == "__main__":
    main()
