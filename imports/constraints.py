"""A model's check constraints evaluated in Python, row by row, without a query per row.

Same answers as the database (SQL's three-valued logic: a comparison with NULL is unknown, and
an unknown check passes). A lookup this module does not know falls back to Django's own
`constraint.validate`, which asks the database.
"""

import operator
from typing import cast

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Field, Model, Q

COMPARE = {
    "exact": operator.eq,
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}


class Unsupported(Exception):
    pass


def _value(obj: Model, name: str):
    field = obj._meta.get_field(name)
    assert isinstance(field, Field)  # a constraint names the model's own fields
    return getattr(obj, field.attname)


def _lookup(obj: Model, key: str, expected) -> bool | None:
    name, _, op = key.partition("__")
    actual = _value(obj, name)
    if op == "isnull":
        return (actual is None) == expected
    if op == "in":
        return None if actual is None else actual in expected
    if op in ("", "exact") and expected is None:  # Django reads `field=None` as IS NULL
        return actual is None
    if isinstance(expected, F):
        expected = _value(obj, expected.name)  # type: ignore[attr-defined]  # not in django-stubs
    if op not in COMPARE and op != "":
        raise Unsupported(op)
    if actual is None or expected is None:
        return None
    return COMPARE[op or "exact"](actual, expected)


def holds(condition: Q, obj: Model) -> bool | None:
    """True, False or None (unknown) for `condition` on `obj`'s current values."""
    results = [
        holds(child, obj) if isinstance(child, Q) else _lookup(obj, *_leaf(child))
        for child in condition.children
    ]
    if condition.connector == Q.AND:
        value = False if False in results else (None if None in results else True)
    else:
        value = True if True in results else (None if None in results else False)
    return value if value is None or not condition.negated else not value


def _leaf(child: object) -> tuple[str, object]:
    """A child of a Q that is not a Q: a (lookup, value) pair."""
    return cast(tuple[str, object], child)


def fields_of(condition: Q) -> list[str]:
    names: list[str] = []
    for child in condition.children:
        names += fields_of(child) if isinstance(child, Q) else [_leaf(child)[0].split("__")[0]]
    return list(dict.fromkeys(names))


def broken_constraints(obj: Model) -> list[tuple[list[str], str]]:
    """(fields involved, message) of each check constraint `obj` breaks."""
    broken = []
    for constraint in obj._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        assert isinstance(constraint.condition, Q)  # the project's checks are Q objects
        try:
            ok = holds(constraint.condition, obj) is not False
        except Unsupported:
            try:
                constraint.validate(type(obj), obj)
                ok = True
            except ValidationError:
                ok = False
        if not ok:
            broken.append(
                (fields_of(constraint.condition), str(constraint.violation_error_message))
            )
    return broken
