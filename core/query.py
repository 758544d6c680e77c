"""Values read from a query string: a malformed one is a 400 that says what was expected."""

from datetime import date

from django.core.exceptions import BadRequest


def parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise BadRequest(f"{name} is a date, YYYY-MM-DD.") from error


def parse_id(value: str | None, name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise BadRequest(f"{name} is an id.")
    return int(value)
