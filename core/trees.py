"""Subtrees of a self-referencing table (reporting lines, the territory tree) in one query."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Field, Model


def subtree_ids(model: type[Model], parent_field: str, root_ids: Iterable[int]) -> set[int]:
    """The roots and every row below them, at any depth, by one recursive query.

    UNION (not UNION ALL) drops rows already found, so a loop in the data ends the walk instead
    of running forever.
    """
    roots = [int(pk) for pk in root_ids]
    if not roots:
        return set()
    table = connection.ops.quote_name(model._meta.db_table)
    field = model._meta.get_field(parent_field)
    assert isinstance(field, Field) and field.column is not None  # a concrete foreign key
    parent = connection.ops.quote_name(field.column)
    marks = ", ".join(["%s"] * len(roots))
    sql = (
        f"WITH RECURSIVE tree(id) AS (SELECT id FROM {table} WHERE id IN ({marks}) "
        f"UNION SELECT child.id FROM {table} child JOIN tree ON child.{parent} = tree.id) "
        "SELECT id FROM tree"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, roots)
        return {row[0] for row in cursor.fetchall()}
