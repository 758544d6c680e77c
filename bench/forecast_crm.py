"""Backtest the forecast on Maven Analytics' public CRM data set (../shared/datasets/maven_crm).

    [PACER_VAR_DIR=/tmp/fccrm] .venv/bin/python bench/forecast_crm.py

Loads the data into a fresh SQLite database under PACER_VAR_DIR (a new temporary folder when
unset; never the real database) with the stage history the file implies: each deal opens on
its engage date at its product's list price, and is won (at its close value) or lost on its
close date. The file has no expected close dates, so an open deal is expected to close one
median sales cycle (engage to close, over the whole file) after it engaged. Then it replays
monthly as-of dates and prints the backtest table. The file's revenue spans ten months (March
to December 2017), so the same-month-last-year baseline cannot be scored here.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup() -> None:
    if os.environ.get("DATABASE_URL"):
        sys.exit("Runs on its own SQLite file: unset DATABASE_URL.")
    os.environ.setdefault("PACER_VAR_DIR", tempfile.mkdtemp(prefix="pacer-crm-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings

    database = Path(settings.DATABASES["default"]["NAME"])
    for suffix in ("", "-wal", "-shm"):  # a fresh database every time
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def moment(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def load() -> tuple[int, int]:
    """The people, accounts and deals, with open-then-closed history; (deals, cycle days)."""
    from pipeline.models import Deal, Product, Stage
    from tests.metrics.maven import PRODUCT_ALIASES, STAGES, load_accounts, load_people, rows

    stages = {
        name: Stage.objects.create(name=name, order=order, probability=p, kind=kind)
        for name, (order, p, kind) in STAGES.items()
    }
    products = {
        row["product"]: Product.objects.create(
            name=row["product"], family=row["series"], list_price=Decimal(row["sales_price"])
        )
        for row in rows("products.csv")
    }
    agents, accounts = load_people(), load_accounts()
    data = rows("sales_pipeline.csv")
    earliest = min(row["engage_date"] for row in data if row["engage_date"])
    cycles = [
        (date.fromisoformat(r["close_date"]) - date.fromisoformat(r["engage_date"])).days
        for r in data
        if r["close_date"] and r["engage_date"]
    ]
    cycle = timedelta(days=round(statistics.median(cycles)))
    deals = []
    for row in data:
        product = products[PRODUCT_ALIASES.get(row["product"], row["product"])]
        created = date.fromisoformat(row["engage_date"] or earliest)
        opening = "Engaging" if row["engage_date"] else "Prospecting"
        deals.append(
            Deal(
                external_id=row["opportunity_id"],
                name=row["opportunity_id"],
                owner=agents[row["sales_agent"]],
                territory=agents[row["sales_agent"]].office,
                product=product,
                account=accounts.get(row["account"]),
                stage=stages[opening],
                created_on=created,
                expected_close_on=created + cycle,
                amount=product.list_price,
            )
        )
    created = Deal.objects.bulk_create(
        deals, batch_size=1000, changed_at=lambda d: moment(d.created_on)
    )
    closing = {row["opportunity_id"]: row for row in data if row["close_date"]}
    closed = []
    for deal in created:
        row = closing.get(deal.external_id)
        if row is None:
            continue
        deal.stage = stages[row["deal_stage"]]
        deal.closed_on = date.fromisoformat(row["close_date"])
        if row["deal_stage"] == "Won":
            deal.amount = Decimal(row["close_value"])
        closed.append(deal)
    Deal.objects.bulk_update(
        closed,
        ["stage", "closed_on", "amount"],
        batch_size=1000,
        changed_at=lambda d: moment(d.closed_on),
    )
    return len(created), cycle.days


def main() -> None:
    setup()
    from django.core.management import call_command

    started = time.perf_counter()
    deals, cycle = load()
    print(f"loaded {deals} deals in {time.perf_counter() - started:.1f} s; median cycle {cycle} d")
    started = time.perf_counter()
    call_command(
        "backtest_forecast",
        "--from=2017-04-01",
        "--to=2017-12-01",
        "--today=2018-01-01",
        "--without-yearly",
    )
    print(f"backtest in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
