"""One cell's text to a Python value for a model field, or a ValueError saying why not."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import timezone

from core.periods import add_months

READABLE = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%y": "YY", "%H": "hh", "%M": "mm"}


def readable(date_format: str) -> str:
    for code, text in READABLE.items():
        date_format = date_format.replace(code, text)
    return date_format


def parse_date(text: str, date_format: str) -> date:
    try:
        return datetime.strptime(text, date_format).date()  # noqa: DTZ007 - a date, no time
    except ValueError:
        raise ValueError(f"Not a date in the format {readable(date_format)}.") from None


def parse_moment(text: str, date_format: str) -> datetime:
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


def parse_decimal(text: str, scale: Decimal | None) -> Decimal:
    try:
        number = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        raise ValueError("Not a number.") from None
    if not number.is_finite():
        raise ValueError("Not a number.")
    return number * scale if scale is not None else number


def parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("Not a whole number.") from None


def months_before(text: str, as_of: date | None) -> date:
    if as_of is None:
        raise ValueError("The mapping needs an as_of date to count months back from.")
    months = parse_int(text)
    if months < 0:
        raise ValueError("A number of months cannot be negative.")
    return add_months(as_of, -months)


def parse_value(model_field: models.Field, text: str, date_format: str, scale=None):
    """The value for `model_field`; blank text is None (nullable) or the empty string."""
    if text == "":
        text_field = isinstance(model_field, models.CharField | models.TextField)
        return "" if text_field and not model_field.null else None
    if model_field.choices:
        return parse_choice(text, model_field.flatchoices)
    if isinstance(model_field, models.DecimalField):
        return parse_decimal(text, scale)
    if isinstance(model_field, models.IntegerField):
        return parse_int(text)
    if isinstance(model_field, models.DateTimeField):
        return parse_moment(text, date_format)
    if isinstance(model_field, models.DateField):
        return parse_date(text, date_format)
    return text
