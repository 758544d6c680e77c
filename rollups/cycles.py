"""Sales-cycle histograms kept as text, so a rollup cell stays one row and medians stay exact.

A histogram is "days count days count ...": how many closed deals took each number of days.
The database joins the histograms of many cells into one string (`Joined`), and the reader
adds them up in C (numpy), whatever the order and however often a day repeats.
"""

from collections import Counter
from decimal import Decimal

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


def pairs(text: str | None) -> np.ndarray:
    """(days, deals) rows of one or many histograms joined."""
    return np.fromstring(text or "", dtype=np.int64, sep=" ").reshape(-1, 2)


def histogram(text: str | None) -> Counter:
    """{days: deals} from one or many histograms joined."""
    days, counts = _added(pairs(text))
    return Counter(dict(zip(days.tolist(), counts.tolist(), strict=True)))


def normal(text: str | None) -> tuple[tuple[int, int], ...]:
    """A histogram in one spelling (sorted, repeats added), to compare two of them."""
    return tuple(sorted(histogram(text).items()))


def cycle_figures(rows: np.ndarray) -> dict[str, int | Decimal | None]:
    """How many deals `rows` (from `pairs`) hold, their days in all, and the exact median:
    the middle deal's days, or the mean of the middle two (None without deals)."""
    days, counts = _added(rows)
    n = int(counts.sum())
    if not n:
        return {"cycles": 0, "cycle_days": 0, "cycle_median": None}
    seen = np.cumsum(counts)
    low, high = (int(days[np.searchsorted(seen, p, side="right")]) for p in ((n - 1) // 2, n // 2))
    total = int((days * counts).sum())
    return {"cycles": n, "cycle_days": total, "cycle_median": Decimal(low + high) / 2}


def _added(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct days, sorted, and how many deals took each."""
    if not len(rows):
        return rows[:, 0], rows[:, 1]
    low = rows[:, 0].min()
    # Float weights add whole numbers exactly up to 2**53 deals.
    counts = np.bincount(rows[:, 0] - low, weights=rows[:, 1]).astype(np.int64)
    taken = np.flatnonzero(counts)
    return taken + low, counts[taken]
