from datetime import date, datetime, time

from django.core.management.base import BaseCommand
from django.utils import timezone

from scoring.services import deal_scores_refresh, sentiment_fill


class Command(BaseCommand):
    help = "Train the deal score model, score every open deal and every new survey comment."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--as-of", type=date.fromisoformat, help="Train on deals closed by this day's end."
        )

    def handle(self, *args, as_of: date | None, **options) -> None:
        moment = timezone.make_aware(datetime.combine(as_of, time.max)) if as_of else None
        run = deal_scores_refresh(moment=moment)
        comments = sentiment_fill()
        if run.status != run.Status.DONE:
            self.stdout.write(f"Deal scores not refreshed: {run.error}")
        else:
            self.stdout.write(
                f"{run.deals_scored:,} open deals scored from {run.examples:,} training rows "
                f"(run {run.pk}). Hold-out on {run.holdout_on or '—'}: Brier "
                f"{run.model_brier or '—'} for the model, {run.baseline_brier or '—'} for stage "
                "win rates."
            )
        self.stdout.write(f"{comments:,} survey comments scored for sentiment.")
