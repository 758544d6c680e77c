from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from forecasting.services import forecast_run

BAR = 30


class Command(BaseCommand):
    help = (
        "Run the forecast in the foreground, as the nightly task does. --as-of replays the "
        "pipeline as deal history had it at the end of that day (default: today)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=date.fromisoformat, help="ISO date")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args, as_of: date | None, no_progress: bool, **options) -> None:
        as_of = as_of or timezone.localdate()
        progress = None if no_progress else self.progress
        try:
            run = forecast_run(as_of=as_of, progress=progress)
        except Exception as error:
            raise CommandError(f"Forecast as of {as_of.isoformat()} failed: {error}") from error
        models = ", ".join(f"{name}: {count}" for name, count in sorted(run.models_used.items()))
        self.stdout.write(
            f"Forecast as of {as_of.isoformat()}: {run.lines.count()} lines "
            f"in {run.duration_seconds:.1f} s (run {run.pk}). Models: {models or 'none'}."
        )

    def progress(self, done: int, total: int) -> None:
        filled = BAR * done // total
        end = "\n" if done == total else ""
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} scopes", ending=end
        )
        self.stderr.flush()
