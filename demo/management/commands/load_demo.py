from argparse import ArgumentTypeError
from datetime import date
from time import perf_counter

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.build import LOGINS, PASSWORD, DemoConflict, demo_load, demo_reset
from rollups.stats import rollups_fill


class Command(BaseCommand):
    help = "Build a believable demo sales company; running it again changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=7, help="Same seed, same company.")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiplies accounts, deals and activities."
        )
        parser.add_argument(
            "--today",
            type=_iso_date,
            default=None,
            help="The last day of the demo's history, as YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--past-forecasts",
            type=int,
            default=12,
            help="Replay the forecast at this many past month starts (default 12; 0: none), "
            "so past forecasts can be set against what closed.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete all sales data and the demo people, then rebuild.",
        )

    def handle(
        self, *args, seed: int, scale: float, today: date | None, reset: bool, **options
    ) -> None:
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        if options["past_forecasts"] < 0:
            raise CommandError("--past-forecasts cannot be negative.")
        started = perf_counter()
        try:
            with transaction.atomic():
                if reset:
                    demo_reset()
                counts = demo_load(
                    seed=seed,
                    scale=scale,
                    today=today,
                    stdout=self.stdout,
                    past_forecasts=options["past_forecasts"],
                )
        except DemoConflict as error:
            raise CommandError(str(error)) from error
        counts["rollup rows"] = sum(rollups_fill().values())  # marks the rollups filled
        call_command("score_deals", stdout=self.stdout)
        width = max(len(label) for label in counts)
        for label, count in counts.items():
            self.stdout.write(f"{label:<{width}}  {count:>8,}")
        self.stdout.write(f"Done in {perf_counter() - started:.1f} s.")
        self.stdout.write("\nDemo logins (role, username, password):")
        for role, username in LOGINS:
            self.stdout.write(f"  {role:<10} {username:<8} {PASSWORD}")
        self.stdout.write(f"  Everyone else signs in as first.last with {PASSWORD}.")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None
