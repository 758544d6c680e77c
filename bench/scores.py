"""Time the nightly deal score run with 100,000 open deals.

    [PACER_VAR_DIR=/tmp/scorebench] .venv/bin/python bench/scores.py [--open 100000]
        [--closed 20000] [--reuse]

Builds a fresh SQLite database under PACER_VAR_DIR (a new temporary folder when unset): 200
reps, four open stages, three products, `--closed` deals won or lost over the last two years
and `--open` open deals, each with its history (a third of them with a pushed close date) and
two or three activities. Then it times each part of the nightly run (read the history, build
the training rows and fit, the hold-out check, compute today's features, scores and reasons,
write them), and the whole run as the Celery task calls it. Target: scoring the open deals
(features, scores, reasons, writes) under 60 s on 2 cores.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BATCH = 5000


def setup(reuse: bool) -> bool:
    """Django on a scratch SQLite file; True when an earlier build is reused."""
    if os.environ.get("DATABASE_URL"):
        sys.exit("Runs on its own SQLite file: unset DATABASE_URL.")
    os.environ.setdefault("PACER_VAR_DIR", tempfile.mkdtemp(prefix="pacer-scores-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings

    database = Path(settings.DATABASES["default"]["NAME"])
    if reuse and database.exists():
        return True
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    return False


def build(open_count: int, closed_count: int, rng: random.Random) -> None:
    from django.utils import timezone

    from org.models import Role, User
    from pipeline.models import Activity, Deal, Product, Stage

    reps = User.objects.bulk_create(User(username=f"rep{i}", role=Role.REP) for i in range(200))
    rows = [("Prospecting", 10, "open"), ("Qualification", 25, "open"), ("Proposal", 40, "open")]
    rows += [("Negotiation", 70, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")]
    stages = [
        Stage.objects.create(name=name, order=i, probability=p, kind=kind)
        for i, (name, p, kind) in enumerate(rows)
    ]
    products = [
        Product.objects.create(name=f"Product {i}", list_price=Decimal(1000 * (i + 1)))
        for i in range(3)
    ]
    today = timezone.localdate()

    def deal(created: date, quality: float) -> Deal:
        return Deal(
            name=f"Deal {created}",
            owner=rng.choice(reps),
            product=rng.choice(products),
            stage=stages[min(3, int(rng.random() * 4 * quality + rng.random()))],
            amount=Decimal(round(rng.lognormvariate(9, 0.7), 2)),
            created_on=created,
            expected_close_on=created + timedelta(days=rng.randint(20, 120)),
        )

    def aged(low: int, high: int) -> Deal:
        return deal(today - timedelta(days=rng.randint(low, high)), rng.random())

    closed = [aged(40, 730) for _ in range(closed_count)]
    opened = [aged(0, 200) for _ in range(open_count)]
    every = closed + opened
    Deal.objects.bulk_create(every, batch_size=BATCH, changed_at=lambda d: at(d.created_on))
    pushed = [d for d in every if rng.random() < 0.33]
    for d in pushed:
        d.expected_close_on += timedelta(days=30)
    Deal.objects.bulk_update(
        pushed, ["expected_close_on"], batch_size=BATCH,
        changed_at=lambda d: at(d.created_on + timedelta(days=10)),
    )  # fmt: skip
    for d in closed:
        d.closed_on = min(d.created_on + timedelta(days=rng.randint(20, 90)), today)
        won = rng.random() < 0.2 + 0.5 * (d.stage.order / 3)
        d.stage = stages[4 if won else 5]
    Deal.objects.bulk_update(
        closed, ["stage", "closed_on"], batch_size=BATCH, changed_at=lambda d: at(d.closed_on)
    )
    activities = [
        Activity(
            rep_id=d.owner_id,
            kind="call",
            deal=d,
            occurred_at=at(d.created_on + timedelta(days=rng.randint(0, 30))),
        )  # fmt: skip
        for d in every
        for _ in range(rng.randint(2, 3))
    ]
    Activity.objects.bulk_create(activities, batch_size=BATCH)


def at(day: date) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=12))


def timed(label: str, step, *args):
    started = time.perf_counter()
    result = step(*args)
    print(f"  {label:<44} {time.perf_counter() - started:7.1f} s")
    return result


def phases() -> None:
    """Each part of the run, timed on its own."""
    from django.db import transaction
    from django.utils import timezone

    from pipeline.models import Deal, StageKind
    from scoring.features import book_load, deal_row, rates_before
    from scoring.model import model_train, training_examples
    from scoring.models import DealScore, ScoreRun
    from scoring.services import _holdout, stage_defaults

    now = timezone.now()
    book = timed("read deals, history and activities", book_load, Deal.objects.all(), now)
    defaults = stage_defaults()
    examples = timed("training rows (every 14 days, 2 years)", training_examples, book, now)
    label = f"fit and calibrate on {len(examples.rows):,} rows"
    model = timed(label, model_train, examples, defaults)

    class Run:
        pass

    timed("hold-out check (train and score 90 days ago)", _holdout, Run(), book, now, defaults)
    started = time.perf_counter()
    rates = rates_before(book, timezone.localdate(now))
    ids = [pk for pk, facts in book.deals.items() if facts.status == StageKind.OPEN]
    rows = [row for pk in ids if (row := deal_row(book, pk, now, rates)) is not None]
    features = time.perf_counter() - started
    print(f"  {f'features of {len(rows):,} open deals':<44} {features:7.1f} s")
    chances = timed("win probabilities", model.predict, rows)
    reasons = timed("three reasons each", model.reasons, rows)
    run = ScoreRun.objects.create(started_at=now, cutoff=now)
    scores = [
        DealScore(deal_id=row.deal_id, run=run, probability=Decimal(str(round(float(p), 4))),
                  baseline=Decimal("0.5"), reasons=why)
        for row, p, why in zip(rows, chances, reasons, strict=True)
    ]  # fmt: skip

    def write() -> None:
        with transaction.atomic():
            DealScore.objects.all().delete()
            DealScore.objects.bulk_create(scores, batch_size=2000)

    timed(f"write {len(scores):,} scores (delete and insert)", write)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--closed", type=int, default=20_000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if not setup(args.reuse):
        started = time.perf_counter()
        build(args.open, args.closed, random.Random(7))
        print(f"built {args.open:,} open and {args.closed:,} closed deals in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    from scoring.services import deal_scores_refresh

    print("Parts of the run:")
    phases()
    started = time.perf_counter()
    run = deal_scores_refresh()
    total = time.perf_counter() - started
    print(
        f"Whole run: {total:.1f} s, {run.status}, {run.deals_scored:,} deals scored from "
        f"{run.examples:,} training rows; hold-out on {run.holdout_on}: AUC {run.model_auc} "
        f"against {run.baseline_auc}, Brier {run.model_brier} against {run.baseline_brier}."
    )


if __name__ == "__main__":
    main()
