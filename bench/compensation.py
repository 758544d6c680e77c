"""Benchmark building a fiscal quarter's commission statements: 1,000 reps, 200 won deals each.

    .venv/bin/python bench/compensation.py [--reps 1000] [--deals 200] [--database NAME]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SECRET_KEY=... \
        .venv/bin/python bench/compensation.py

Runs on the configured database engine, in a database of its own so real data is never touched:
`pacer_bench_compensation` (or --database) on the DATABASE_URL server, dropped first, or a
SQLite file in a temporary directory without DATABASE_URL. It writes the rows with bulk_create
(a quarterly plan with a tiered commission, a SPIF, an attainment bonus, a cap and a draw; a
quota per rep; won deals, one in ten split between two reps), then times the real services:
the first build (every statement and line inserted), a rebuild with nothing changed (every
statement recomputed, its identical lines left alone), a rebuild after every deal's amount
grew by one dollar (every line replaced) and closing the quarter (one last rebuild, then the
lock). It prints for each the wall-clock seconds, the CPU seconds of this Python process (the
database server's time is the difference, together with waiting on a busy machine), the
queries sent (on PostgreSQL the lines go by one COPY per build, which the count leaves out), and
the statements built and closed.
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from benchdb import postgres_database

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "pacer_bench_compensation"
RATES = ((0, 2), (50, 5), (100, 8), (150, 10))


def use_own_database(name: str) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        folder = tempfile.mkdtemp(prefix="pacer-bench-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["PACER_VAR_DIR"] = folder
        return
    os.environ["DATABASE_URL"] = postgres_database(url, name, fresh=True)


def setup_django(database: str) -> None:
    use_own_database(database)
    # As in production: DEBUG would log (and on SQLite quote) every parameter of every query.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_plan():
    from compensation.models import BonusThreshold, CompPlan, PlanComponent, RateTier
    from pipeline.models import Product

    product = Product.objects.create(name="Bench add-on", list_price=1000, billing="recurring")
    plan = CompPlan.objects.create(
        name="Bench quarterly", start=date(2025, 1, 1), period="quarter", cap=Decimal(250_000),
        draw=Decimal(6000), clawback_days=90,
    )  # fmt: skip
    commission = PlanComponent.objects.create(
        plan=plan, name="Commission", kind="commission", base="bookings"
    )
    RateTier.objects.bulk_create(
        RateTier(component=commission, floor=floor, rate=rate) for floor, rate in RATES
    )
    PlanComponent.objects.create(
        plan=plan, name="Add-on SPIF", kind="spif", spif_product=product, spif_fixed=250, order=1
    )
    bonus = PlanComponent.objects.create(plan=plan, name="Club", kind="bonus", order=2)
    BonusThreshold.objects.bulk_create(
        BonusThreshold(component=bonus, attainment=a, amount=m)
        for a, m in ((100, 2000), (120, 3000))
    )
    return plan, product


def make_data(reps: int, deals_per_rep: int, quarter: date) -> None:
    from compensation.models import DealCredit, PlanAssignment
    from org.models import Role, User
    from pipeline.models import Account, Deal, Stage
    from quotas.models import Quota

    plan, product = make_plan()
    won = Stage.objects.create(name="Won", order=1, probability=100, kind="won",
                               forecast_category="closed")  # fmt: skip
    people = User.objects.bulk_create(
        User(username=f"bench_r{i}", first_name="Rep", last_name=str(i), role=Role.REP)
        for i in range(reps)
    )
    account = Account.objects.create(name="Bench account")
    PlanAssignment.objects.bulk_create(
        PlanAssignment(rep=rep, plan=plan, start=date(2025, 1, 1)) for rep in people
    )
    Quota.objects.bulk_create(
        Quota(rep=rep, period="quarter", start=quarter, metric="bookings",
              amount=Decimal(800_000 + 400 * i))
        for i, rep in enumerate(people)
    )  # fmt: skip
    deals = [
        Deal(
            name=f"Deal {r}-{d}", owner=rep, account=account, stage=won, status="won",
            forecast_category="closed", amount=Decimal(1000 + (r * 7919 + d * 104_729) % 9000),
            created_on=quarter - timedelta(days=30),
            closed_on=quarter + timedelta(days=(r + d) % 90),
            product=product if d % 17 == 0 else None,
        )
        for r, rep in enumerate(people)
        for d in range(deals_per_rep)
    ]  # fmt: skip
    Deal.objects.bulk_create(deals, batch_size=5000)
    split = [deal for index, deal in enumerate(deals) if index % 10 == 0]
    partner = {rep.pk: people[(i + 1) % reps] for i, rep in enumerate(people)}
    DealCredit.objects.bulk_create(
        [DealCredit(deal=deal, rep_id=deal.owner_id, percent=60) for deal in split]
        + [DealCredit(deal=deal, rep=partner[deal.owner_id], percent=40) for deal in split],
        batch_size=5000,
    )


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(label: str, run) -> None:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started, cpu = time.perf_counter(), time.process_time()
        summary = run()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{label:<8} {seconds:7.1f} s wall {cpu:7.1f} s CPU here {counter.count:>5} queries "
        f"(built {summary.built}, closed {summary.closed})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--deals", type=int, default=200, help="won deals per rep")
    parser.add_argument("--database", default=BENCH_DB, help="PostgreSQL database to recreate")
    args = parser.parse_args()
    setup_django(args.database)
    from django.db import connection
    from django.db.models import F, QuerySet

    from compensation.models import Statement, StatementLine
    from compensation.services import statements_build, statements_close
    from core.periods import period_containing
    from pipeline.models import Deal

    quarter = period_containing(date(2026, 1, 15), "quarter").start  # per the fiscal year

    started = time.perf_counter()
    make_data(args.reps, args.deals, quarter)
    print(
        f"{connection.vendor}: {args.reps} reps x {args.deals} won deals in the quarter from "
        f"{quarter.isoformat()}, written in {time.perf_counter() - started:.1f} s"
    )
    timed("build", lambda: statements_build(period="quarter", start=quarter))
    timed("rebuild", lambda: statements_build(period="quarter", start=quarter))
    QuerySet(Deal).update(amount=F("amount") + 1)  # plain: no deal history needed here
    timed("changed", lambda: statements_build(period="quarter", start=quarter))
    timed("close", lambda: statements_close(period="quarter", start=quarter, by=None))
    print(f"statements {Statement.objects.count()}, lines {StatementLine.objects.count()}")


if __name__ == "__main__":
    main()
