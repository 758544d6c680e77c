"""KPI arithmetic: plain numbers in, a Decimal (or None) out. No Django here.

None means "no value": the denominator was empty (no closed deals, no customers, no quota).
It is never replaced by a fake 0. Rates are fractions (0.634), not percents; CSAT is on 0-100
and NPS on -100..100, their usual scales. Nothing is rounded here: rounding is for display.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

Number = int | Decimal
ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def ratio(part: Number | None, whole: Number | None) -> Decimal | None:
    """part / whole, or None when the whole is missing or zero."""
    if part is None or not whole:
        return None
    return Decimal(part) / Decimal(whole)


def cents(value: Decimal | float | int | None) -> Decimal | None:
    """Money to the cent, for display (floats go through str so 0.1 stays 0.1)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def win_rate(won: int, lost: int) -> Decimal | None:
    """Won / (won + lost) over deals closed in the period."""
    return ratio(won, won + lost)


def close_rate(won: int, lost: int, opportunities: int) -> Decimal | None:
    """(Won + lost) closed in the period / opportunities created in the period."""
    return ratio(won + lost, opportunities)


def average_deal_size(revenue: Decimal, won: int) -> Decimal | None:
    return ratio(revenue, won)


def median_of_counts(counts: Mapping[int, int]) -> Decimal | None:
    """The median of values given as {value: how many times}; the mean of the middle two."""
    size = sum(counts.values())
    if not size:
        return None
    middle = ((size - 1) // 2, size // 2)  # 0-based positions of the middle value(s)
    found, seen = [], 0
    for value in sorted(counts):
        seen += counts[value]
        found += [value for position in middle if seen - counts[value] <= position < seen]
    return Decimal(found[0] + found[1]) / 2


def weighted_amount(amount_times_percent: Decimal) -> Decimal:
    """Sum of amount x stage probability (in percent) back to money; exact, not rounded."""
    return amount_times_percent / HUNDRED


def arr(mrr: Decimal | None) -> Decimal | None:
    return None if mrr is None else mrr * 12


def csat(satisfied: int, responses: int) -> Decimal | None:
    """Share of 4 and 5 answers on a 1-5 scale, times 100."""
    share = ratio(satisfied, responses)
    return None if share is None else share * HUNDRED


def nps(promoters: int, detractors: int, responses: int) -> Decimal | None:
    """Percent of 9-10 answers minus percent of 0-6 answers (-100..100)."""
    net = ratio(promoters - detractors, responses)
    return None if net is None else net * HUNDRED


def arpa(mrr: Decimal, customers: int) -> Decimal | None:
    """Average revenue (MRR) per account."""
    return ratio(mrr, customers)


def clv(
    arpa: Decimal | None, gross_margin: Decimal, monthly_churn: Number | None
) -> Decimal | None:
    """ARPA x gross margin / monthly churn rate; no value without churn (it would be infinite)."""
    if arpa is None or not monthly_churn:
        return None
    return arpa * gross_margin / monthly_churn


def projected(actual: Number, elapsed_days: int, total_days: int) -> Decimal | None:
    """The period-end value if the run rate so far holds."""
    rate = ratio(actual, elapsed_days)
    return None if rate is None else rate * total_days


def daily_needed(actual: Number, target: Decimal | None, remaining_days: int) -> Decimal | None:
    """What is still missing to reach the target, per remaining day (0 once it is reached)."""
    if target is None or remaining_days <= 0:
        return None
    return max(Decimal(target) - Decimal(actual), ZERO) / remaining_days


def coverage(pipeline: Decimal, target: Decimal | None, actual: Number) -> Decimal | None:
    """Pipeline / what remains of the target; no value once nothing remains."""
    if target is None:
        return None
    remaining = Decimal(target) - Decimal(actual)
    return ratio(pipeline, remaining) if remaining > 0 else None


def per_rep_day(count: int, reps: int | None, days: int | None) -> Decimal | None:
    if reps is None or days is None:
        return None
    return ratio(count, reps * days)
