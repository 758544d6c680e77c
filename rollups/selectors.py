"""Reading the rollups: which rows answer a period."""

from datetime import date

from django.db.models import Q

from core.periods import Period, add_months
from rollups.models import DealCloseCell


def cells_in(period: Period) -> Q:
    """The `DealCloseCell` rows that add up to the half-open period exactly: month rows for
    the months wholly inside it, day rows for the days before and after those."""
    first = period.start if period.start.day == 1 else add_months(period.start, 1)
    last = period.end.replace(day=1)  # the whole months end where the last one begins
    if first >= last:
        return _days(period.start, period.end)
    months = Q(grain=DealCloseCell.MONTH, day__gte=first, day__lt=last)
    return months | _days(period.start, first) | _days(last, period.end)


def _days(start: date, end: date) -> Q:
    if start >= end:
        return Q(pk__in=[])
    condition = Q(grain=DealCloseCell.DAY)
    if start != date.min:
        condition &= Q(day__gte=start)
    if end != date.max:
        condition &= Q(day__lt=end)
    return condition
