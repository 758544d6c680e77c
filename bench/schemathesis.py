"""Fuzz the live API with schemathesis: 50 generated requests per operation, as an admin and as
a rep, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacer_fuzz SECRET_KEY=... \\
        .venv/bin/python bench/schemathesis.py [--examples 50]

Runs tests/api/test_schemathesis.py under pytest (its live server, on pytest-django's test
database `test_<name>` on the DATABASE_URL server), seeded with a small book (a territory, a
team, accounts, deals in every stage, quotas) so generated ids can hit real objects. Checks:
no server error, responses conforming to the schema's bodies and content types. Prints per
role: operations, requests, responses by status class, failures by check and seconds, then the
first line of each failure's report (pytest's output above has them in full, with curl).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["operations", "requests", "2xx", "3xx", "4xx", "5xx", "seconds"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=50)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (pytest makes its own test database).")
    report = Path(tempfile.mkdtemp()) / "schemathesis.jsonl"
    env = {
        **os.environ,
        "SCHEMATHESIS_EXAMPLES": str(args.examples),
        "SCHEMATHESIS_REPORT": str(report),
    }
    env.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    started = time.monotonic()
    test = "tests/api/test_schemathesis.py"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-q", "--show-capture=no"], cwd=ROOT, env=env
    )
    wall = time.monotonic() - started
    rows = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    print(f"\nschemathesis, {args.examples} examples per operation, PostgreSQL")
    print(f"{'role':<12}" + "".join(f"{c:>11}" for c in COLUMNS) + "  failures by check")
    for row in rows:
        checks = {k.removeprefix("failed "): v for k, v in row.items() if k.startswith("failed ")}
        by_check = ", ".join(f"{k} {v}" for k, v in sorted(checks.items())) or "none"
        figures = "".join(f"{row.get(c, 0):>11}" for c in COLUMNS)
        print(f"{row['role']:<12}{figures}  {by_check}")
        codes = {k.removeprefix("status "): v for k, v in row.items() if k.startswith("status ")}
        print(f"{'':<12}by status: " + ", ".join(f"{k} {v}" for k, v in sorted(codes.items())))
    for row in rows:
        for failure in row["failures"]:
            print(f"  {row['role']}: {' | '.join(failure.splitlines()[:2])}")
    print(f"wall time, both roles: {wall:.0f} s (pytest exit {done.returncode})")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
