"""Money in the database: amounts as exact decimals beside their currency, never negative."""

from typing import TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q


class Digits(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: Digits = {"max_digits": 14, "decimal_places": 2}


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


def non_negative(name: str, label: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gte": 0}),
        name=f"%(class)s_{name}_not_negative",
        violation_error_message=f"{label} cannot be negative.",
    )
