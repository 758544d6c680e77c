from django.core.management.base import BaseCommand

from rollups.stats import STATS, rollups_check, stat_fill


class Command(BaseCommand):
    help = "Fill every rollup from the raw rows (or, with --check, repair the days that differ)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="compare and repair only")

    def handle(self, *args, check: bool = False, **options) -> None:
        if check:
            for key, days in rollups_check().items():
                self.stdout.write(f"{key}: {days} days repaired")
            return
        for key in STATS:
            self.stdout.write(f"{key}: {stat_fill(key)} rows")
