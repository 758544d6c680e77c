"""One cell's text to a Python value for a model field, or a ValueError saying why not."""

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import timezone

from core.periods import add_months
from imports.numbers import Number, parse_number

READABLE = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%y": "YY", "%H": "hh", "%I": "hh", "%M": "mm"}
READABLE |= {"%p": "AM/PM"}
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def readable(date_format: str) -> str:
    for code, text in READABLE.items():
        date_format = date_format.replace(code, text)
    return date_format


def parse_date(text: str, date_format: str) -> date:
    """A date in `date_format`; a format with a time (2026-03-31 14:05) takes the date alone."""
    day_only = date_format.split(" ")[0]
    if day_only == "%Y-%m-%d" and ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)  # what strptime gives, some 20 times sooner
        except ValueError:
            pass  # the message below
    for candidate in dict.fromkeys([date_format, day_only]):
        try:
            return datetime.strptime(text, candidate).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(f"Not a date in the format {readable(date_format)}.")


def parse_moment(text: str, date_format: str) -> datetime:
    """A moment in `date_format` (with its time), in ISO 8601, or a day's midnight."""
    try:
        moment = datetime.strptime(text, date_format)  # noqa: DTZ007 - made aware below
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = datetime.combine(parse_date(text, date_format), datetime.min.time())
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def parse_choice(text: str, choices) -> str:
    for value, label in choices:
        if text.lower() in (str(value).lower(), str(label).lower()):
            return value
    allowed = ", ".join(str(value) for value, _ in choices)
    raise ValueError(f"Not one of: {allowed}.")


@dataclass(frozen=True)
class NumberFormat:
    decimal: str = "."  # the decimal mark: "." or ","
    symbols: dict[str, str] = field(default_factory=dict)  # currency symbol -> ISO code
    scale: Decimal | None = None  # e.g. 1000 when the file counts in thousands


def parse_decimal(text: str, numbers: NumberFormat = NumberFormat()) -> Number:
    """A number with its currency, if the cell names one, multiplied by the scale."""
    number = parse_number(text, decimal=numbers.decimal, symbols=numbers.symbols)
    if numbers.scale is not None:
        return replace(number, value=number.value * numbers.scale)
    return number


def parse_int(text: str, numbers: NumberFormat = NumberFormat()) -> int:
    try:
        number = parse_decimal(text, numbers)
    except ValueError:
        raise ValueError("Not a whole number.") from None
    if number.currency or number.value != number.value.to_integral_value():
        raise ValueError("Not a whole number.")
    return int(number.value)


def months_before(text: str, as_of: date | None) -> date:
    if as_of is None:
        raise ValueError("The mapping needs an as_of date to count months back from.")
    months = parse_int(text)
    if months < 0:
        raise ValueError("A number of months cannot be negative.")
    return add_months(as_of, -months)


def parse_value(
    model_field: models.Field, text: str, date_format: str, numbers: NumberFormat = NumberFormat()
):
    """The value for `model_field`; blank text is None (nullable) or the empty string.

    A decimal field's value is a `Number`, which may name its currency."""
    if text == "":
        text_field = isinstance(model_field, models.CharField | models.TextField)
        return "" if text_field and not model_field.null else None
    if model_field.choices:
        return parse_choice(text, model_field.flatchoices)
    if isinstance(model_field, models.DecimalField):
        return parse_decimal(text, numbers)
    if isinstance(model_field, models.IntegerField):
        return parse_int(text, numbers)
    if isinstance(model_field, models.DateTimeField):
        return parse_moment(text, date_format)
    if isinstance(model_field, models.DateField):
        return parse_date(text, date_format)
    return text
