"""Deals imported set-based on PostgreSQL, near the speed of a plain COPY.

Each row is converted and checked in Python against lookup dicts filled once per name
(`rows`), then streamed by COPY into a temporary staging table; a few statements compare the
whole file with the deals, find duplicate keys and broken constraints, and write the new and
changed deals and their history (`staging`). Memory stays flat however long the file: no
chunk is kept once it is copied. The errors, counts, all-or-nothing and dry run are those of
the row-by-row path, which SQLite and the other kinds keep.
"""

from django.db import connection

from imports.bulk.rows import DealCopyJob
from imports.mapping import Mapping

__all__ = ["DealCopyJob", "copy_fits"]


def copy_fits(mapping: Mapping) -> bool:
    """Whether the set-based path can import this file: deals, on PostgreSQL, unless the
    mapping reads HubSpot's stage dates (written as each deal's history once it exists)."""
    return (
        connection.vendor == "postgresql"
        and mapping.kind.name == "deals"
        and not mapping.options.get("date_entered")
    )
