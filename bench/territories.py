"""Time the territory planning reads on whatever data the configured database holds.

    .venv/bin/python manage.py load_demo            # or any real data set
    .venv/bin/python bench/territories.py [--repeat 3]

Read-only: it times the balance report, its greedy suggestion, the segmentation of every
account (size and value tiers, ABC, ideal-customer score) and the rule preview, and
prints for each the best wall-clock seconds of `--repeat` runs and the queries sent.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, work, repeat: int) -> None:
    from django.db import connection, reset_queries

    best, queries = float("inf"), 0
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
        queries = len(connection.queries)
    print(f"{label:<34} {best:8.3f} s {queries:6d} queries  {result}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    settings.DEBUG = True  # record queries
    from core.periods import period_containing
    from metrics.scope import Scope
    from pipeline.models import Account, Deal
    from planning.selectors.balance import balance_report, balance_suggestion
    from planning.selectors.rules import assignment_preview
    from planning.selectors.segments import (
        clv_factor,
        mrr_by_account,
        segment_accounts,
        segment_rows,
    )
    from quotas.models import Quota

    today = timezone.localdate()
    accounts, deals = Account.objects.all(), Deal.objects.all()
    print(f"{accounts.count():,} accounts, {deals.count():,} deals, today {today.isoformat()}")
    year = period_containing(today, "year")

    def report():
        return balance_report(accounts, deals, Quota.objects.all(), period=year, on=today)

    reps = report().reps
    timed("balance report", lambda: f"{len(report().reps)} reps", args.repeat)
    timed("balance suggestion", lambda: f"{len(balance_suggestion(accounts, reps))} moves",
          args.repeat)  # fmt: skip
    factor = clv_factor(Scope.everything(), today)
    timed("CLV factor (metrics service)", lambda: clv_factor(Scope.everything(), today), 1)

    def segments():
        mrr = mrr_by_account(accounts, today)
        rows = segment_rows(segment_accounts(accounts), mrr=mrr, clv_per_mrr=factor)
        return f"{sum(row.abc == 'A' for row in rows)} A accounts"

    timed("segmentation of every account", segments, args.repeat)
    timed("rule preview", lambda: f"{len(assignment_preview(accounts, today))} moves", args.repeat)


if __name__ == "__main__":
    main()
