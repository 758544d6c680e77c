from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from forecasting.backtest import backtest_run, money


class Command(BaseCommand):
    help = (
        "Replay the forecast at each month start from --from to --to and print, per level, "
        "horizon and method, MAPE, WAPE (percent) and MASE against what then happened."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", type=date.fromisoformat, required=True)
        parser.add_argument("--to", dest="last", type=date.fromisoformat, required=True)
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Score months complete before this date"
        )
        parser.add_argument(
            "--without-yearly",
            action="store_true",
            help="Leave out the same-month-last-year baseline (under two years of revenue)",
        )

    def handle(self, *args, first: date, last: date, today: date | None, **options) -> None:
        yearly = not options["without_yearly"]
        if last < first:
            raise CommandError("--to must not be before --from.")
        today = today or timezone.localdate()
        scores = backtest_run(
            first=first, last=last, today=today, yearly=yearly, progress=self.progress
        )
        if not scores:
            raise CommandError("No month to score: is there a year of revenue before --from?")
        self.stdout.write(
            f"{'level':<8}{'h':>2}  {'method':<18}{'n':>5}{'MAPE':>9}{'WAPE':>9}{'MASE':>7}"
        )
        for s in scores:
            mase = "—" if s.mase is None else f"{s.mase:.2f}"
            self.stdout.write(
                f"{s.level:<8}{s.horizon:>2}  {s.method:<18}{s.points:>5}"
                f"{money(s.mape):>9}{money(s.wape):>9}{mase:>7}"
            )

    def progress(self, as_of: date) -> None:
        self.stderr.write(f"replayed {as_of.isoformat()}")
