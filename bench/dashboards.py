"""Server time of each role's dashboard: p50 and p95 over repeated requests, cold and warm.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x SECRET_KEY=... \
        .venv/bin/python bench/dashboards.py [--scale 1] [--runs 20] [--multiply 0]

Builds its own database next to the one DATABASE_URL names (`pacer_bench_dashboards`, or
$PACER_BENCH_DB, on that PostgreSQL server; without DATABASE_URL,
var/bench-dashboards.sqlite3), loads the demo company at `--scale` and, with `--multiply N`
(PostgreSQL only), copies every demo deal N more times with INSERT ... SELECT (same owners,
stages, dates and amounts; no history rows) and fills the rollups, e.g.
`--multiply 115` for about a million deals.

Each role's page is requested through Django's test client (the whole middleware stack, no
network) as the demo's rep, manager, exec and admin:
- cold: the dashboard cache is emptied before every request, so the page is computed;
- warm: the page is already kept for this viewer (the cache answers; PostgreSQL and Python are
  warm in both cases, as after the first request of the day).
The SQL query count of a computed page is printed too. Targets at 1M deals: rep p95 <= 50 ms,
manager <= 150 ms, executive <= 300 ms warm and <= 2 s cold.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

from benchdb import postgres_database

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = os.environ.get("PACER_BENCH_DB", "pacer_bench_dashboards")
PAGES = [
    ("rep", "rep", "/dashboards/rep/"),
    ("manager", "manager", "/dashboards/team/"),
    ("executive", "exec", "/dashboards/company/"),
    ("admin", "admin", "/dashboards/data-health/"),
]


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        (ROOT / "var").mkdir(exist_ok=True)
        return f"sqlite:///{ROOT / 'var' / 'bench-dashboards.sqlite3'}"
    return postgres_database(url, BENCH_DB, fresh=False)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "spm.settings"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    # Pages name their static files; the bench serves none, so no collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)


def load(scale: float, multiply: int) -> dict[str, int]:
    from django.db import connection

    from demo.build import demo_load, demo_reset
    from pipeline.models import Deal
    from rollups.stats import rollups_fill

    started = time.perf_counter()
    demo_reset()
    demo_load(seed=7, scale=scale)
    if multiply:
        if connection.vendor != "postgresql":
            sys.exit("--multiply needs PostgreSQL.")
        copy_deals(multiply)
    rollups_fill()  # the copies bypassed the deal writer: fill the rollups whole
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # as autovacuum would soon after a bulk load
            cursor.execute("VACUUM ANALYZE")
    print(f"Loaded in {time.perf_counter() - started:.0f} s: {Deal.objects.count():,} deals.")
    return {"deals": Deal.objects.count()}


def copy_deals(times: int) -> None:
    """Every deal `times` more times, in SQL (no history rows: the copies never changed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'pipeline_deal' AND column_name NOT IN ('id', 'external_id')"
        )
        columns = [row[0] for row in cursor.fetchall()]
        values = [f"d.{c}" if c != "name" else "d.name || ' #' || n" for c in columns]
        cursor.execute(
            f"INSERT INTO pipeline_deal ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM pipeline_deal d, generate_series(1, %s) n",
            [times],
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def timed(client, url: str, runs: int, before=None) -> list[float]:
    times = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def run(runs: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from org.models import User

    print(f"{'page':<10} {'queries':>7} {'cold p50':>9} {'cold p95':>9} "
          f"{'warm p50':>9} {'warm p95':>9}  (ms, {runs} requests each)")  # fmt: skip
    for page, username, url in PAGES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        cache.clear()
        client.get(url)  # imports, connection and PostgreSQL's own caches
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        count = len(queries)  # now: later requests clear the connection's query log
        cold = timed(client, url, runs, before=cache.clear)
        client.get(url)
        warm = timed(client, url, runs)
        print(f"{page:<10} {count:>7} {statistics.median(cold):>9.1f} "
              f"{percentile(cold, 0.95):>9.1f} {statistics.median(warm):>9.1f} "
              f"{percentile(warm, 0.95):>9.1f}")  # fmt: skip


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="demo scale (1: ~8,700 deals)")
    parser.add_argument("--multiply", type=int, default=0, help="copy every deal N more times")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the data already loaded")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not args.reuse:
        load(args.scale, args.multiply)
    run(args.runs)


if __name__ == "__main__":
    main()
