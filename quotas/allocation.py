"""Splitting a quota total by weights, in cents, so the parts add up to the total exactly.

Pure arithmetic on Decimal: no database, no settings.

The remainder rule (largest remainder): each part is first its exact share rounded down to the
cent; the cents still missing go one each to the parts with the largest remainders cut off,
ties going to the earlier part in the given order. The parts are never negative, each is within
one cent of its exact share, and they add up to the total.
"""

from collections.abc import Hashable, Mapping, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import TypeVar

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
K = TypeVar("K", bound=Hashable)


def split_total(total: Decimal, weights: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """`total` (in cents, not negative) shared in proportion to `weights` (not negative, at least
    one positive) by the largest-remainder rule."""
    if total < 0 or total != total.quantize(CENT):
        raise ValueError("The total is an amount in cents, not negative.")
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("Weights are not negative.")
    whole = sum(weights.values(), ZERO)
    if whole <= 0:
        raise ValueError("At least one weight is positive.")
    exact = {key: total * weight / whole for key, weight in weights.items()}
    parts = {key: share.quantize(CENT, rounding=ROUND_DOWN) for key, share in exact.items()}
    missing = int((total - sum(parts.values(), ZERO)) / CENT)
    order = list(weights)
    by_remainder = sorted(order, key=lambda key: (-(exact[key] - parts[key]), order.index(key)))
    for key in by_remainder[:missing]:
        parts[key] += CENT
    return parts


def ramp_percent(hired_on: date | None, month: date, steps: Sequence[Decimal]) -> Decimal:
    """A rep's ramp in the month starting `month`: the month they were hired in is their first,
    taking steps[0] %, the next steps[1] %, and so on; 100 % after the steps (or without a hire
    date), 0 % before they were hired."""
    if hired_on is None:
        return HUNDRED
    index = (month.year - hired_on.year) * 12 + month.month - hired_on.month
    if index < 0:
        return ZERO
    return steps[index] if index < len(steps) else HUNDRED
