"""Time a nightly forecast run for 1,000 reps (or --reps) with 24 months of deal history.

    [PACER_VAR_DIR=/tmp/fcbench] .venv/bin/python bench/forecast.py [--reps 1000] [--months 24]
        [--reuse]
    DATABASE_URL=postgres://.../pacer_bench .venv/bin/python bench/forecast.py [--reps 1000]

Builds a synthetic sales organisation in a fresh SQLite database under PACER_VAR_DIR (a new
temporary folder when unset), or in the empty PostgreSQL database DATABASE_URL names: 10
regional directors, a manager per 10 reps, 20 territories, and per rep about four deals a
month, each with a history (opened, then won or lost some weeks later; the last two months
still open). Then it runs the nightly task eagerly, in this process (the fits on 2 processes),
and prints its duration (targets on 2 cores: 30 s for 1,000 reps, 4 minutes for 10,000), the
cost per rep and what it wrote.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
AS_OF = date(2026, 6, 30)


def setup(reuse: bool) -> bool:
    """Django on a scratch SQLite file or an empty PostgreSQL database; True when an earlier
    build is reused."""
    postgres = bool(os.environ.get("DATABASE_URL"))
    os.environ.setdefault("PACER_VAR_DIR", tempfile.mkdtemp(prefix="pacer-forecast-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as on a worker: no query log, which costs more than the queries
    if postgres:
        call_command("migrate", verbosity=0)
        from org.models import User

        if User.objects.exists():
            if reuse:
                return True
            sys.exit("The PostgreSQL database holds data: give an empty one, or --reuse it.")
        return False
    database = Path(settings.DATABASES["default"]["NAME"])
    if reuse and database.exists():
        return True
    for suffix in ("", "-wal", "-shm"):  # a fresh database
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    return False


def org(reps: int) -> tuple[list, list]:
    """Directors, managers and reps; returns (reps, territories)."""
    from org.models import Role, User
    from territories.models import Territory

    regions = [Territory.objects.create(name=f"Region {i}", kind="region") for i in range(4)]
    territories = [
        Territory.objects.create(name=f"Territory {i}", kind="territory", parent=regions[i % 4])
        for i in range(20)
    ]
    vp = User.objects.create(username="vp", role=Role.EXECUTIVE)
    directors = [
        User.objects.create(username=f"director{i}", role=Role.MANAGER, manager=vp)
        for i in range(10)
    ]
    managers = User.objects.bulk_create(
        User(username=f"manager{i}", role=Role.MANAGER, manager=directors[i % 10])
        for i in range(max(1, reps // 10))
    )
    people = User.objects.bulk_create(
        User(username=f"rep{i}", role=Role.REP, manager=managers[i % len(managers)])
        for i in range(reps)
    )
    return people, territories


def deals(reps: list, territories: list, months: int, rng: random.Random) -> int:
    from django.db import transaction

    from pipeline.history import deal_history_add
    from pipeline.models import Deal, Stage

    names = ("Prospecting", "Proposal", "Negotiation", "Won", "Lost")
    rows = [(10, "open", "pipeline"), (40, "open", "best_case"), (70, "open", "commit")]
    rows += [(100, "won", "closed"), (0, "lost", "omitted")]
    stages = {
        name: Stage.objects.create(
            name=name, order=i, probability=p, kind=kind, forecast_category=category
        )
        for i, (name, (p, kind, category)) in enumerate(zip(names, rows, strict=True))
    }
    first = AS_OF - timedelta(days=months * 30.4)
    batch, opened = [], {}
    for n, rep in enumerate(reps):
        territory = territories[n % len(territories)]
        for _ in range(months * 4):
            created = first + timedelta(days=rng.randrange(int(months * 30.4)))
            cycle = timedelta(days=rng.randint(10, 90))
            season = 1.3 if created.month in (3, 6, 9, 12) else 1.0
            stage = stages[rng.choice(names[:3])]
            deal = Deal(
                name=f"{rep.username} {created}",
                owner=rep,
                territory=territory,
                stage=stage,
                amount=Decimal(round(rng.lognormvariate(8.5, 0.6) * season, 2)),
                created_on=created,
                expected_close_on=created + cycle,
            )
            if created + cycle <= AS_OF:  # created in its final stage, its open past added below
                won = rng.random() < 0.35
                deal.stage, deal.closed_on = stages["Won" if won else "Lost"], created + cycle
                opened[id(deal)] = stage.pk
            batch.append(deal)
    Deal.objects.bulk_create(
        batch, batch_size=2000, changed_at=lambda d: at(d.closed_on or d.created_on)
    )
    past = [(d.pk, at(d.created_on), {"stage_id": opened[id(d)]}) for d in batch if id(d) in opened]
    with transaction.atomic():  # the rollups refill the days touched once, at the commit
        for i in range(0, len(past), 5000):
            deal_history_add(past[i : i + 5000])
    return len(batch)


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the data built under PACER_VAR_DIR before"
    )
    args = parser.parse_args()
    from_before = setup(args.reuse)
    from forecasting.models import ForecastRun
    from forecasting.tasks import forecast_run

    if not from_before:
        started = time.perf_counter()
        people, territories = org(args.reps)
        count = deals(people, territories, args.months, random.Random(7))
        print(f"built {args.reps} reps, {count} deals in {time.perf_counter() - started:.0f} s")

    started, cpu = time.perf_counter(), time.process_time()
    summary = forecast_run.delay(AS_OF.isoformat()).get()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    run = ForecastRun.objects.get(pk=summary["run"])
    target = 30 if args.reps <= 1000 else 240
    print(
        f"nightly run as of {AS_OF}, eager: {elapsed:.1f} s on {os.cpu_count()} cores "
        f"(target {target} s for {args.reps} reps), {1000 * elapsed / args.reps:.1f} ms per rep, "
        f"{summary['scopes']} scopes in {summary['chunks']} chunks"
    )
    print(f"CPU time of the main process: {cpu:.1f} s")
    print(f"{run.status}: {run.lines.count()} lines; models: {run.models_used}")


if __name__ == "__main__":
    main()
