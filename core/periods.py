"""Calendar and fiscal periods. A period is a half-open date range [start, end)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def years_before(day: date, years: int = 1) -> date:
    """The same day of the month `years` earlier (the 28th for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def period_containing(day: date, kind: str, fy_start: int | None = None) -> Period:
    """The month, fiscal quarter or fiscal year that contains `day`."""
    fy_start = fy_start or settings.FISCAL_YEAR_START_MONTH
    months = PERIOD_MONTHS[kind]
    offset = (day.month - fy_start) % 12 // months * months
    try:
        start = add_months(date(day.year, day.month, 1), offset - (day.month - fy_start) % 12)
        return Period(start, add_months(start, months))
    except ValueError:
        raise ValueError(
            f"The {kind} of {day.isoformat()} does not fit in the calendar (years 1 to 9999)."
        ) from None


def is_period_start(day: date, kind: str, fy_start: int | None = None) -> bool:
    return period_containing(day, kind, fy_start).start == day


def fiscal_label(period_start: date, kind: str, fy_start: int | None = None) -> str:
    """`2017-03` for a month, `FY2017-Q2` for a quarter, `FY2017` for a year.

    A fiscal year is named after the calendar year in which it ends (FY2018 starts in
    February 2017 when the fiscal year starts in February); with a January start the
    fiscal year is the calendar year.
    """
    fy_start = fy_start or settings.FISCAL_YEAR_START_MONTH
    if kind == "month":
        return period_start.strftime("%Y-%m")
    year_start = period_containing(period_start, "year", fy_start).start
    fy = add_months(year_start, 11).year
    if kind == "year":
        return f"FY{fy}"
    quarter = (period_start.month - fy_start) % 12 // 3 + 1
    return f"FY{fy}-Q{quarter}"


ALL_TIME = Period(date.min, date.max)


def is_bounded(period: Period) -> bool:
    """False for all history (ALL_TIME), whose length means nothing."""
    return period.start != date.min and period.end != date.max


def day_period(day: date) -> Period:
    return Period(day, day + timedelta(days=1))


def week_containing(day: date) -> Period:
    """The ISO week (Monday to Sunday) that contains `day`."""
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=7))


def calendar_quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def inclusive_range(first: date | None, last: date | None) -> Period:
    """[first, last] as a half-open period; a missing side leaves that side open."""
    start = first or date.min
    end = last + timedelta(days=1) if last and last < date.max else date.max
    return Period(start, end)


def bucket_label(bucket_start: date, kind: str) -> str:
    """`2017-03` for a calendar month, `2017-Q2` for a calendar quarter."""
    if kind == "month":
        return bucket_start.strftime("%Y-%m")
    return f"{bucket_start.year}-Q{(bucket_start.month - 1) // 3 + 1}"


def bucket_starts(first: date, last: date, kind: str) -> list[date]:
    """First days of every calendar month or quarter from the one holding `first` to `last`'s."""
    step = PERIOD_MONTHS[kind]
    start = date(first.year, first.month, 1)
    if kind == "quarter":
        start = calendar_quarter_start(first)
    starts = []
    while start <= last:
        starts.append(start)
        start = add_months(start, step)
    return starts


def month_boundaries(period: Period) -> list[date]:
    """The period's start, every first-of-month strictly inside it, and its end."""
    inside = []
    month = add_months(date(period.start.year, period.start.month, 1), 1)
    while month < period.end:
        inside.append(month)
        month = add_months(month, 1)
    return [period.start, *inside, period.end]


def weekdays_in(period: Period) -> int:
    """Monday-to-Friday days in the period (activity targets are per working day)."""
    weeks, extra = divmod(period.days, 7)
    first = period.start.weekday()
    return weeks * 5 + sum(1 for i in range(extra) if (first + i) % 7 < 5)


def local_midnight(day: date) -> datetime:
    """The moment `day` starts in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in the site's time zone: what stood "as of" that day."""
    return local_midnight(day + timedelta(days=1)) - timedelta(microseconds=1)
