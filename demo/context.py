"""What every part of the demo builder shares: the seed, the scale and the calendar."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from core.periods import add_months
from demo.data import HOLIDAYS, MONTH_FACTORS

HISTORY_MONTHS = 30
PAID_MONTHS = 12  # the year of closed pay statements
YEARLY_GROWTH = 0.15
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class DemoContext:
    seed: int
    scale: float
    today: date
    tz: tzinfo

    @property
    def start(self) -> date:
        return add_months(self.today.replace(day=1), -HISTORY_MONTHS)

    @property
    def paid_from(self) -> date:
        """The first month of the year of closed pay statements (every rep is hired by then)."""
        return add_months(self.today.replace(day=1), -PAID_MONTHS)

    def rng(self, topic: str) -> random.Random:
        """An independent stream per topic, so changing one part leaves the others' data alone."""
        return random.Random(f"pacer-demo:{self.seed}:{topic}")

    def at(self, day: date, minute: int) -> datetime:
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)

    def trend(self, day: date) -> float:
        """The company grows: more and bigger business later in the history."""
        return 1 + YEARLY_GROWTH * (day - self.start).days / 365

    def season(self, day: date) -> float:
        return MONTH_FACTORS[day.month - 1]


def days_between(first: date, last: date) -> Iterator[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS


def working_days(first: date, last: date) -> list[date]:
    return [day for day in days_between(first, last) if is_working_day(day)]


def ramp(hired_on: date, day: date) -> float:
    """A new rep's share of full productivity in their first three months."""
    months = (day - hired_on).days / 30.4
    if months < 1:
        return 0.3
    if months < 2:
        return 0.55
    return 0.8 if months < 3 else 1.0


def money(value: float, step: int = 10) -> Decimal:
    """A positive amount rounded to `step` dollars, with two decimal places."""
    return Decimal(max(step, round(value / step) * step)).quantize(CENTS)


def cents(value: Decimal | float) -> Decimal:
    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)
