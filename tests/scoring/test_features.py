from datetime import date
from decimal import Decimal

import pytest

from scoring.features import Book, rates_before


def test_rates_count_only_deals_closed_before_the_day():
    closed = [
        (date(2026, 1, 5), 1, "smb", True, Decimal("100")),
        (date(2026, 1, 20), None, "", False, Decimal("300")),
        (date(2026, 2, 1), 1, "smb", False, Decimal("900")),  # on the day: not yet known
    ]
    book = Book(deals={}, history={}, activities={}, closed=closed)

    rates = rates_before(book, date(2026, 2, 1))

    assert rates.overall == 0.5
    # One win in one deal, shrunk by ten deals' worth of the overall 50 %: 6 / 11.
    assert rates.by_rep[1] == pytest.approx(6 / 11)
    assert rates.by_rep[None] == pytest.approx(5 / 11)
    assert rates.median_by_rep == {1: 100.0, None: 300.0}
    assert rates.median == 200.0
