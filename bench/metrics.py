"""Benchmark the KPI queries against a hand-written SQL floor, at 100k and 1M deals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test SECRET_KEY=... \
        .venv/bin/python bench/metrics.py [--sizes 100000,1000000] [--runs 5]

Creates and fills a separate database, `pacer_bench` (or $PACER_BENCH_DB), on the DATABASE_URL
server (synthetic rows written with INSERT ... SELECT generate_series, bypassing deal history,
then VACUUM ANALYZE). For each size it prints the median time of: the deal KPI family
grouped by rep (`deal_rows`: its sums query
and its sales-cycle query), the full KPI panel grouped by rep (`kpi_panel`: every family,
group names and headcounts), and the floor: one hand-written GROUP BY computing the same sums
over the same deal table, grouped by the credited owner (credit at close: one closed deal in
20 has been handed to another rep since). Targets: the deal family within 1.5x of the floor,
the panel 3x. For reference it also times that GROUP BY by the current owner (what the sums
cost without credit at close) and with PostgreSQL's own median (percentile_cont).
Then it fills the daily rollup of closed deals and times the deal family and the panel again
reading it, and the rollup's closed-deal query alone against the floor.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from benchdb import postgres_database

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = os.environ.get("PACER_BENCH_DB", "pacer_bench")
PERIOD_START, PERIOD_END, TODAY = date(2016, 1, 1), date(2017, 1, 1), date(2016, 12, 15)
REPS, MANAGERS, TERRITORIES, PRODUCTS = 200, 20, 10, 10


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the bench uses its own database).")
    return postgres_database(url, BENCH_DB, fresh=False)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reset_dimensions() -> dict:
    """Stages, people, teams, territories, products: small, through the ORM."""
    from django.db import connection

    from org.models import Role, Team, User
    from pipeline.models import Product, Stage
    from territories.models import Territory, TerritoryAssignment

    tables = [
        "pipeline_dealchange", "pipeline_activity", "pipeline_deal", "pipeline_subscription",
        "pipeline_surveyresponse", "pipeline_account", "pipeline_product", "pipeline_stage",
        "quotas_quota", "territories_territoryassignment", "territories_territory",
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    User.objects.filter(username__startswith="bench_").delete()
    Team.objects.filter(name__startswith="Bench ").delete()
    stages = [
        ("Prospecting", 1, 10, "open", "pipeline"),
        ("Proposal", 2, 40, "open", "best_case"),
        ("Negotiation", 3, 70, "open", "commit"),
        ("Won", 4, 100, "won", "closed"),
        ("Lost", 5, 0, "lost", "omitted"),
    ]
    for name, order, p, kind, category in stages:
        Stage.objects.create(
            name=name, order=order, probability=p, kind=kind, forecast_category=category
        )
    territories = [Territory.objects.create(name=f"T{i}", kind="territory") for i in range(10)]
    managers = [
        User.objects.create(username=f"bench_m{i}", first_name="Manager", last_name=str(i),
                            role=Role.MANAGER)
        for i in range(MANAGERS)
    ]  # fmt: skip
    teams = [Team.objects.create(name=f"Bench {i}", manager=m) for i, m in enumerate(managers)]
    reps = User.objects.bulk_create(
        User(username=f"bench_r{i}", first_name="Rep", last_name=str(i), role=Role.REP,
             manager=managers[i % MANAGERS], team=teams[i % MANAGERS])
        for i in range(REPS)
    )  # fmt: skip
    TerritoryAssignment.objects.bulk_create(
        TerritoryAssignment(rep=rep, territory=territories[i % TERRITORIES], start=date(2014, 1, 1))
        for i, rep in enumerate(reps)
    )
    Product.objects.bulk_create(
        Product(name=f"P{i}", list_price=1000, billing="recurring" if i % 2 else "one_time")
        for i in range(PRODUCTS)
    )
    return {"reps": [rep.pk for rep in reps]}


# Each statement picks ids from arrays built once (an InitPlan), so rows are spread evenly.
ACCOUNTS_SQL = """
INSERT INTO pipeline_account (name, industry, country, segment, territory_id, owner_id)
SELECT 'Account ' || g, '', '',
       (ARRAY['strategic','enterprise','mid_market','smb'])[1 + g %% 4],
       (SELECT array_agg(id) FROM territories_territory)[1 + g %% 10],
       (SELECT array_agg(id ORDER BY id) FROM org_user WHERE role = 'rep')[1 + g %% 200]
FROM generate_series(%(first)s, %(last)s) g
"""
DEALS_SQL = """
WITH r AS (
    SELECT g, random() AS u, (random() * 730)::int AS born, (random() * 150)::int AS cycle,
           round((random() * 50000)::numeric, 2) AS amount
    FROM generate_series(%(first)s, %(last)s) g
), s AS (SELECT array_agg(id ORDER BY "order") AS ids FROM pipeline_stage)
INSERT INTO pipeline_deal (name, account_id, owner_id, product_id, territory_id, amount,
    currency, stage_id, status, forecast_category, type, created_on, expected_close_on,
    closed_on, lost_reason, lead_source)
SELECT 'Deal ' || g,
       (SELECT array_agg(id) FROM pipeline_account)[1 + g %% %(accounts)s],
       (SELECT array_agg(id ORDER BY id) FROM org_user WHERE role = 'rep')[1 + g %% 200],
       (SELECT array_agg(id) FROM pipeline_product)[1 + g %% 10],
       (SELECT array_agg(id) FROM territories_territory)[1 + g %% 10],
       CASE WHEN u > 0.97 THEN NULL ELSE amount END, 'USD',
       s.ids[CASE WHEN u < 0.40 THEN 4 WHEN u < 0.65 THEN 5 WHEN u < 0.77 THEN 1
                  WHEN u < 0.89 THEN 2 ELSE 3 END],
       CASE WHEN u < 0.40 THEN 'won' WHEN u < 0.65 THEN 'lost' ELSE 'open' END,
       CASE WHEN u < 0.40 THEN 'closed' WHEN u < 0.65 THEN 'omitted' ELSE 'pipeline' END,
       (ARRAY['new_business','expansion','renewal'])[1 + g %% 3],
       date '2015-01-01' + born, date '2015-01-01' + born + cycle,
       CASE WHEN u < 0.65 THEN date '2015-01-01' + born + cycle END, '',
       (ARRAY['web','referral','event'])[1 + g %% 3]
FROM r, s
"""
OTHERS_SQL = [
    """INSERT INTO pipeline_subscription (account_id, product_id, mrr, currency, start, "end")
       SELECT a.id, (SELECT array_agg(id) FROM pipeline_product)[1 + a.id %% 10],
              round((random() * 900 + 100)::numeric, 2), 'USD', begun,
              CASE WHEN random() < 0.3 THEN begun + (random() * 600)::int END
       FROM pipeline_account a, generate_series(1, 2) k,
            LATERAL (SELECT date '2014-06-01' + (random() * 900)::int + k * 0 AS begun) b
       WHERE a.id > %(old_accounts)s AND (k = 1 OR a.id %% 2 = 0)""",
    """INSERT INTO pipeline_surveyresponse (account_id, kind, score, responded_on, comment)
       SELECT (SELECT array_agg(id) FROM pipeline_account)[1 + g %% %(accounts)s],
              CASE WHEN g %% 2 = 0 THEN 'csat' ELSE 'nps' END,
              CASE WHEN g %% 2 = 0 THEN 1 + g %% 5 ELSE g %% 11 END,
              date '2015-01-01' + (random() * 730)::int, ''
       FROM generate_series(1, %(new)s / 20) g""",
    """INSERT INTO pipeline_activity (rep_id, kind, occurred_at, outcome)
       SELECT (SELECT array_agg(id ORDER BY id) FROM org_user
               WHERE role = 'rep')[1 + g %% 200],
              (ARRAY['lead','call','call','appointment','quote','follow_up'])[1 + g %% 6],
              timestamptz '2015-01-01' + random() * interval '730 days', ''
       FROM generate_series(1, %(new)s / 2) g""",
]
# Credit at close, as the model layer stamps it: the closer, their manager, team and territory.
# One closed deal in 20 is then handed to the next rep, as a re-import of a departed rep's
# deals would, so grouping by the current owner would give other figures than the credit.
CREDIT_SQL = """
UPDATE pipeline_deal d
SET closed_owner_id = d.owner_id, closed_manager_id = u.manager_id, closed_team_id = u.team_id,
    closed_territory_id = d.territory_id,
    owner_id = CASE WHEN d.id %% 20 = 0
               THEN (SELECT array_agg(id ORDER BY id) FROM org_user
                     WHERE role = 'rep')[1 + (d.id / 20) %% 200]
               ELSE d.owner_id END
FROM org_user u
WHERE u.id = d.owner_id AND d.status IN ('won', 'lost') AND d.id >= %(first)s
"""
QUOTAS_SQL = """
INSERT INTO quotas_quota (rep_id, period, start, metric, amount, currency)
SELECT u.id, 'month', make_date(y, m, 1), 'bookings', 150000, 'USD'
FROM org_user u, generate_series(2015, 2016) y, generate_series(1, 12) m
WHERE u.role = 'rep'
"""


def grow(deals_before: int, deals_after: int) -> None:
    """Add deals (and one account per 20 deals, with their subscriptions, answers, activities)."""
    from django.db import connection

    accounts_before, accounts_after = deals_before // 20, deals_after // 20
    with connection.cursor() as cursor:
        cursor.execute(ACCOUNTS_SQL, {"first": accounts_before + 1, "last": accounts_after})
        params = {"first": deals_before + 1, "last": deals_after, "accounts": accounts_after,
                  "new": deals_after - deals_before}  # fmt: skip
        cursor.execute(DEALS_SQL, params)
        cursor.execute(CREDIT_SQL, params)
        for sql in OTHERS_SQL:
            cursor.execute(sql, {**params, "old_accounts": accounts_before})
        if deals_before == 0:
            cursor.execute(QUOTAS_SQL)
        # What autovacuum does soon after a bulk load: statistics, and the visibility map
        # that lets the sales-cycle query read the covering index alone.
        cursor.execute("VACUUM ANALYZE")


# The floor's group: the credited owner (the closer for a closed deal, else the owner).
CREDITED = "CASE WHEN d.status IN ('won', 'lost') THEN d.closed_owner_id ELSE d.owner_id END"
FLOOR_SQL = """
SELECT {group},
  count(*) FILTER (WHERE d.status = 'won' AND d.closed_on >= %(a)s AND d.closed_on < %(b)s),
  count(*) FILTER (WHERE d.status = 'lost' AND d.closed_on >= %(a)s AND d.closed_on < %(b)s),
  sum(d.amount) FILTER (WHERE d.status = 'won' AND d.closed_on >= %(a)s AND d.closed_on < %(b)s),
  sum(d.amount) FILTER (WHERE d.status = 'won' AND d.closed_on >= %(a)s AND d.closed_on < %(b)s
                        AND d.type = 'new_business'),
  sum(d.amount) FILTER (WHERE d.status = 'won' AND d.closed_on >= %(a)s AND d.closed_on < %(b)s
                        AND p.billing = 'recurring'),
  sum(d.amount) FILTER (WHERE d.status = 'won' AND d.closed_on >= %(a)s AND d.closed_on < %(b)s
                        AND d.type = 'new_business' AND p.billing = 'recurring'),
  sum(d.closed_on - d.created_on) FILTER (WHERE d.status IN ('won', 'lost')
                        AND d.closed_on >= %(a)s AND d.closed_on < %(b)s),
  count(*) FILTER (WHERE d.created_on >= %(a)s AND d.created_on < %(b)s),
  count(*) FILTER (WHERE d.status = 'open'),
  sum(d.amount) FILTER (WHERE d.status = 'open'),
  sum(d.amount * s.probability) FILTER (WHERE d.status = 'open'),
  -- due in the period, which holds TODAY: overdue deals count in it (pipeline.due)
  sum(d.amount * s.probability) FILTER (WHERE d.status = 'open'
                        AND d.expected_close_on < %(b)s)
FROM pipeline_deal d
JOIN pipeline_stage s ON s.id = d.stage_id
LEFT JOIN pipeline_product p ON p.id = d.product_id
WHERE (d.status IN ('won', 'lost') AND d.closed_on >= %(a)s AND d.closed_on < %(b)s)
   OR (d.created_on >= %(a)s AND d.created_on < %(b)s) OR d.status = 'open'
GROUP BY 1
"""


MEDIAN_SQL = FLOOR_SQL.replace(
    "  count(*) FILTER (WHERE d.created_on",
    """  percentile_cont(0.5) WITHIN GROUP (ORDER BY d.closed_on - d.created_on)
      FILTER (WHERE d.status IN ('won', 'lost') AND d.closed_on >= %(a)s AND d.closed_on < %(b)s),
  count(*) FILTER (WHERE d.created_on""",
)


def floor(sql: str = FLOOR_SQL, group: str = CREDITED) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql.format(group=group), {"a": PERIOD_START, "b": PERIOD_END})
        return cursor.fetchall()


def timed(function: Callable[[], object], runs: int) -> float:
    """Median seconds over `runs`, after one warm-up run."""
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(deals: int, runs: int) -> None:
    from core.periods import Period
    from metrics.queries.deals import deal_rows
    from metrics.scope import Scope
    from metrics.service import kpi_panel
    from rollups.models import FillState

    FillState.objects.all().delete()  # the raw timings read the deals (see from_rollups)
    period = Period(PERIOD_START, PERIOD_END)
    scope = Scope.everything()
    family = lambda: deal_rows(scope.deals, period, "rep", today=TODAY)  # noqa: E731
    panel = lambda: kpi_panel(scope, period, "rep", today=TODAY)  # noqa: E731
    check(family(), floor(MEDIAN_SQL))
    base = timed(floor, runs)
    plain = timed(lambda: floor(group="d.owner_id"), runs)
    print(f"{deals:>9,} deals  floor by current owner (no credit at close): "
          f"{plain * 1000:8.1f} ms; by credited owner {base * 1000:8.1f} ms "
          f"(x{base / plain:4.2f})")  # fmt: skip
    with_median = timed(lambda: floor(MEDIAN_SQL), runs)
    print(f"{deals:>9,} deals  floor with percentile_cont median: {with_median * 1000:8.1f} ms "
          f"(x{with_median / base:4.2f} the floor)")  # fmt: skip
    for name, function, target in (("deal family by rep", family, 1.5),
                                   ("full panel by rep", panel, 3.0)):  # fmt: skip
        seconds = timed(function, runs)
        ratio = seconds / base
        verdict = "ok" if ratio <= target else "OVER TARGET"
        print(f"{deals:>9,} deals  {name:<20} {seconds * 1000:8.1f} ms   floor "
              f"{base * 1000:8.1f} ms   x{ratio:4.2f} (target x{target}) {verdict}")  # fmt: skip
    from_rollups(deals, runs, period, base, family())


def from_rollups(deals: int, runs: int, period, base: float, raw_family: dict) -> None:
    """The same figures once the daily rollup of closed deals is filled."""
    from django.db.models import Q

    from metrics.queries.closed import closed_rollup_rows
    from metrics.queries.deals import deal_rows
    from metrics.scope import Scope
    from metrics.service import kpi_panel
    from rollups.models import DealCloseCell, DealCreateCell
    from rollups.stats import rollups_fill

    started = time.perf_counter()
    rollups_fill()
    filled = time.perf_counter() - started
    print(f"{deals:>9,} deals  rollups filled in {filled:6.1f} s: "
          f"{DealCloseCell.objects.count():,} closed and "
          f"{DealCreateCell.objects.count():,} created rows")  # fmt: skip
    scope = Scope.everything()
    family = lambda: deal_rows(scope.deals, period, "rep", today=TODAY, closed=Q())  # noqa: E731

    def same(rows: dict) -> dict:  # an empty sum is None from the deals, 0 from the rollup
        return {key: {name: value or 0 for name, value in row.items()} for key, row in rows.items()}

    assert same(family()) == same(raw_family), "the rollup and the deals disagree"
    closed = lambda: closed_rollup_rows(Q(), period, "rep")  # noqa: E731
    panel = lambda: kpi_panel(scope, period, "rep", today=TODAY)  # noqa: E731
    for name, function in (("closed figures, rollup", closed), ("deal family, rollup", family),
                           ("full panel, rollup", panel)):  # fmt: skip
        seconds = timed(function, runs)
        print(f"{deals:>9,} deals  {name:<24} {seconds * 1000:8.1f} ms   floor "
              f"{base * 1000:8.1f} ms   x{seconds / base:4.2f}")  # fmt: skip


def check(rows: dict, floor_rows: list) -> None:
    """The ORM's answer and the floor's must be the same numbers."""
    from metrics.queries.common import TOTAL

    by_rep = {row[0]: row for row in floor_rows}
    for rep, raw in rows.items():
        if rep is TOTAL:
            continue
        row = by_rep[rep]
        assert (raw["won"], raw["lost"], raw["revenue"]) == (row[1], row[2], row[3]), rep
        assert raw["weighted_x100"] == row[12], rep
        assert raw["cycle_days"] == (row[7] or 0), rep
        median = raw["cycle_median"]
        assert (median, row[8]) == (None, None) or median == Decimal(str(row[8])), rep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the rows of a run of the same size"
    )
    options = parser.parse_args()
    setup_django()
    from pipeline.models import Deal

    sizes = [int(s) for s in options.sizes.split(",")]
    if options.reuse and Deal.objects.count() == sizes[0]:
        print(f"reusing the {sizes[0]:,} deals of the last run")
        done = sizes[0]
        measure(done, options.runs)
        sizes = sizes[1:]
    else:
        reset_dimensions()
        done = 0
    for size in sizes:
        started = time.perf_counter()
        grow(done, size)
        print(f"generated {size:,} deals in {time.perf_counter() - started:.1f} s")
        done = size
        measure(size, options.runs)


if __name__ == "__main__":
    main()
