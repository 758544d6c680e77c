"""Writing the lines and built values of many open statements at once.

A build of a period for every rep writes hundreds of thousands of lines: these helpers send them
as a few executemany batches of plain values, and leave alone the lines of a statement whose
fingerprint says the engine computed exactly the same lines again.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import cast

from django.db import connection

from compensation import engine
from compensation.models import LineKind, Statement, StatementLine

BASE_PLACES = Decimal("0.000001")
EXACT_PLACES = Decimal("0.00000001")
BATCH = 2000
LINE_COLUMNS = [
    *("position", "kind", "component", "deal_id", "deal_name", "closed_on"),
    *("credit", "base", "tier", "rate", "exact", "amount", "explanation", "reason"),
]
Row = tuple


def line_rows(lines: Iterable[engine.Line]) -> list[Row]:
    """The engine's lines as the values stored in LINE_COLUMNS, numbered from 1."""
    return [
        (
            *(position, line.kind, line.component, line.deal_id),
            *(line.deal_name, line.closed_on, line.credit),
            None if line.base is None else line.base.quantize(BASE_PLACES),
            *(line.tier, line.rate, line.exact.quantize(EXACT_PLACES), line.amount),
            line.explanation[:400],
            line.explanation if line.kind == LineKind.ADJUSTMENT else "",
        )
        for position, line in enumerate(lines, 1)
    ]


def rows_digest(rows: list[Row]) -> str:
    """A fingerprint of a statement's lines: the same lines give the same digest (str of each
    value, which tells None from "" and keeps a Decimal's places, costs half of repr)."""
    text = "\x1e".join(["\x1f".join(map(str, row)) for row in rows])
    return hashlib.sha256(text.encode()).hexdigest()


def lines_delete(statement_ids: list[int]) -> None:
    """Delete the lines of open statements, a batch of statements per query. QuerySet.delete()
    would load every line to honour disputes pointing at lines, but disputes only ever point at
    lines of closed statements (the database's foreign keys would refuse anything else)."""
    table = connection.ops.quote_name(StatementLine._meta.db_table)
    with connection.cursor() as cursor:
        for first in range(0, len(statement_ids), 500):
            batch = statement_ids[first : first + 500]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f"DELETE FROM {table} WHERE statement_id IN ({marks})", batch)


def lines_insert(statements: list[tuple[int, list[Row]]], now: datetime) -> None:
    """Insert the line rows of many statements: with COPY on PostgreSQL (twenty times faster
    than an INSERT per row, which the data version need not see: the statements' own rows are
    written in the same transaction), elsewhere with executemany. Django's bulk_create spent
    most of a large build preparing each value of each line."""
    at = connection.ops.adapt_datetimefield_value(now)
    rows = [(statement_id, *row, at) for statement_id, lines in statements for row in lines]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in ["statement_id", *LINE_COLUMNS, "created_at"])
    table = quote(StatementLine._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * (len(LINE_COLUMNS) + 2))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        for first in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[first : first + BATCH])


def statements_update(statements: list[Statement], names: list[str]) -> None:
    """Write the fields `names` (attribute names) of many statements, one UPDATE per statement
    sent with executemany: bulk_update's CASE over every statement of a batch, per field, costs
    the square of the batch size."""
    by_name = {field.attname: field for field in Statement._meta.concrete_fields}
    fields = [by_name[name] for name in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(cast(str, field.column))} = %s" for field in fields)
    sql = f"UPDATE {quote(Statement._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"
    rows = [
        (*(f.get_db_prep_save(getattr(s, f.attname), connection) for f in fields), s.pk)
        for s in statements
    ]
    with connection.cursor() as cursor:
        for first in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[first : first + BATCH])
