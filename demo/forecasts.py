"""Past forecasts for the demo: the run of each month start over the last year, replayed from
deal history as it stood that day, so forecasts can be set against what then closed from the
first visit."""

from collections.abc import Callable
from datetime import date

from core.periods import add_months
from forecasting.services import forecast_run

PAST_MONTHS = 12


def past_forecasts_run(
    today: date, months: int = PAST_MONTHS, progress: Callable[[date], None] | None = None
) -> int:
    """Run the forecast as of the first day of each of the `months` months before `today`'s,
    oldest first (each run weighs its blend by the runs before it); returns the runs made."""
    this_month = today.replace(day=1)
    for back in range(months, 0, -1):
        as_of = add_months(this_month, -back)
        forecast_run(as_of=as_of)
        if progress:
            progress(as_of)
    return months
