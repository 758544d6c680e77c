"""When an open deal is due: the one rule for every figure that splits open pipeline by period.

An open deal is due on its expected close date, or today once that date has passed (it is
overdue). So an overdue deal counts in the period that contains today, never in a period
already over: a month's open pipeline never exceeds its quarter's, and a quarter's is the sum
of its months from the current one on. A deal without an expected close date is due in no
period; it counts only in the open pipeline as a whole.
"""

from datetime import date

from django.db.models import BooleanField, Case, DateField, F, Q, Value, When

from core.periods import Period
from pipeline.models import Deal, StageKind


def is_overdue(deal: Deal, today: date) -> bool:
    """An open deal whose expected close date is before `today`."""
    expected = deal.expected_close_on
    return deal.status == StageKind.OPEN and expected is not None and expected < today


def overdue_q(today: date, column: str = "expected_close_on") -> Q:
    """Open deals (or deal history rows) whose `column` is before `today`."""
    return Q(status=StageKind.OPEN, **{f"{column}__lt": today})


def overdue_flag(today: date, column: str = "expected_close_on") -> Case:
    """`overdue_q` as a true/false value to annotate rows with."""
    return Case(
        When(overdue_q(today, column), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def due_on(today: date, column: str = "expected_close_on") -> Case:
    """The day an open deal is due: `column`, or `today` once it has passed; null without a
    date."""
    return Case(
        When(**{f"{column}__lt": today}, then=Value(today)),
        default=F(column),
        output_field=DateField(),
    )


def due_in_q(period: Period, today: date, column: str = "expected_close_on") -> Q:
    """Open deals (the caller filters on the stage) due in `period` as of `today`: expected
    in it and not overdue, and every overdue one when `period` contains today."""
    dated: dict[str, object] = {f"{column}__isnull": False}
    if period.end != date.max:
        dated = {f"{column}__lt": period.end}
    if period.start <= today < period.end:
        return Q(**dated)
    return Q(**{f"{column}__gte": max(period.start, today)}, **dated)


def due_period_case(column: str, periods: list[Period]) -> Case:
    """The start of the period of `periods` an open deal is due in, else null. The periods
    follow each other and the first is the current one (it contains today); any of its days
    gives the same answer, so its first stands for today."""
    today = periods[0].start
    whens = [When(due_in_q(p, today, column), then=Value(p.start)) for p in periods]
    return Case(*whens, default=None, output_field=DateField())
