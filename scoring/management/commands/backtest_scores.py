from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone

from pipeline.models import Deal
from scoring.evaluation import Outcome, backtest_at, calibration_table, fit_of, pooled
from scoring.features import book_load
from scoring.model import NotEnoughHistory
from scoring.services import stage_defaults

DEFAULT_BACK = (270, 180, 90)  # days before the last close in the data


class Command(BaseCommand):
    help = (
        "Time-ordered back-test of the deal score model against stage win rates: on each day, "
        "train on the deals closed by then and score the deals open then that have closed since."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--at",
            action="append",
            type=date.fromisoformat,
            help="A back-test day (repeatable); default: 270, 180 and 90 days before the "
            "last close.",
        )

    def handle(self, *args, at: list[date] | None, **options) -> None:
        days = sorted(at or self._default_days())
        book = book_load(Deal.objects.all(), timezone.now())
        defaults = stage_defaults()
        outcomes = []
        self.stdout.write(f"{'day':<10}  {'deals':>5}  {'train':>6}  model AUC  Brier    "
                          "baseline AUC  Brier")  # fmt: skip
        for day in days:
            try:
                outcome = backtest_at(book, day, defaults)
            except NotEnoughHistory as error:
                self.stdout.write(f"{day}  skipped: {error}")
                continue
            if len(outcome.won):
                outcomes.append(outcome)
                self.stdout.write(self._line(str(day), outcome))
        if not outcomes:
            raise CommandError(
                "No back-test day had both history to learn from and deals to score."
            )
        every = pooled(outcomes)
        self.stdout.write(self._line("all days", every))
        for name, chances in (
            ("model", every.model),
            ("baseline (stage win rates)", every.baseline),
        ):
            self._calibration(name, chances, every)
        better = fit_of(every.model, every.won).brier < fit_of(every.baseline, every.won).brier
        self.stdout.write(
            "The model's Brier score is lower than the baseline's."
            if better
            else "The model does not beat the baseline's Brier score."
        )

    def _default_days(self) -> list[date]:
        last = Deal.objects.aggregate(last=Max("closed_on"))["last"]
        if last is None:
            raise CommandError("No closed deals: nothing to back-test.")
        return [last - timedelta(days=back) for back in DEFAULT_BACK]

    def _line(self, label: str, outcome: Outcome) -> str:
        model, base = fit_of(outcome.model, outcome.won), fit_of(outcome.baseline, outcome.won)
        return (
            f"{label:<10}  {len(outcome.won):>5}  {outcome.examples:>6}  {_num(model.auc):>9}  "
            f"{model.brier:.4f}   {_num(base.auc):>12}  {base.brier:.4f}"
        )

    def _calibration(self, name: str, chances, outcome: Outcome) -> None:
        self.stdout.write(f"\nCalibration, {name}:\n  predicted    deals  mean predicted  won")
        for row in calibration_table(chances, outcome.won):
            if row.deals:
                self.stdout.write(
                    f"  {row.low:.1f}-{row.high:.1f}  {row.deals:>8}  {row.predicted:>14.3f}"
                    f"  {row.won:.3f}"
                )
        self.stdout.write("")


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"
