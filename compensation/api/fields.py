"""Decimal field settings shared by the compensation API."""

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 2, "min_value": 0}
RATE = {"max_digits": 9, "decimal_places": 4, "min_value": 0}
