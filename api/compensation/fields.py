"""Decimal field settings shared by the compensation API."""

from typing import TypedDict

from core.money import MONEY


class Bounded(TypedDict):
    max_digits: int
    decimal_places: int
    min_value: int


PERCENT: Bounded = {"max_digits": 7, "decimal_places": 2, "min_value": 0}
RATE: Bounded = {"max_digits": 9, "decimal_places": 4, "min_value": 0}

__all__ = ["MONEY", "PERCENT", "RATE"]
