"""Sales-cycle histograms kept as text, so a rollup cell stays one row and medians stay exact.

A histogram is "days count days count ...": how many closed deals took each number of days.
The database joins the histograms of many cells into one string (`Joined`), and the reader
adds them up in C (numpy), whatever the order and however often a day repeats.
"""

from collections import Counter

import numpy as np
from django.db.models import Aggregate, TextField


class Joined(Aggregate):
    """The strings of a group joined with spaces (STRING_AGG, or GROUP_CONCAT on SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def joined_sql(column: str, vendor: str) -> str:
    """`Joined` as SQL text, for statements written by hand."""
    function = "GROUP_CONCAT" if vendor == "sqlite" else "STRING_AGG"
    return f"{function}({column}, ' ')"


def histogram(text: str | None) -> Counter:
    """{days: deals} from one or many histograms joined."""
    if not text:
        return Counter()
    pairs = np.fromstring(text, dtype=np.int64, sep=" ").reshape(-1, 2)
    days, counts = np.unique(pairs[:, 0], return_inverse=True)
    totals = np.bincount(counts, weights=pairs[:, 1]).astype(np.int64)
    return Counter(dict(zip(days.tolist(), totals.tolist(), strict=True)))


def normal(text: str | None) -> tuple[tuple[int, int], ...]:
    """A histogram in one spelling (sorted, repeats added), to compare two of them."""
    return tuple(sorted(histogram(text).items()))
