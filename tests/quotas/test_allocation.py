"""The pure arithmetic of quota planning: largest-remainder splits and ramps."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas.allocation import ramp_percent, split_total

D = Decimal


def test_an_even_split_gives_the_leftover_cent_to_the_first_part():
    # 100 / 3 = 33.333...: 33.33 each is 99.99; the one missing cent goes to the first of the
    # equal remainders.
    assert split_total(D("100.00"), {"a": D(1), "b": D(1), "c": D(1)}) == {
        "a": D("33.34"),
        "b": D("33.33"),
        "c": D("33.33"),
    }


def test_the_leftover_cents_go_to_the_largest_remainders():
    # 10 x 2/3 = 6.666... (cut to 6.66, remainder 0.0066...), 10 x 1/3 = 3.333... (remainder
    # 0.0033...), 0: 9.99 cut, the missing cent goes to the larger remainder.
    assert split_total(D("10.00"), {"a": D(2), "b": D(1), "c": D(0)}) == {
        "a": D("6.67"),
        "b": D("3.33"),
        "c": D("0.00"),
    }


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (D("1.00"), {"a": D(0)}),
        (D("1.00"), {"a": D(-1), "b": D(2)}),
        (D("-1.00"), {"a": D(1)}),
        (D("1.001"), {"a": D(1)}),
    ],
)
def test_a_split_refuses_impossible_inputs(total, weights):
    with pytest.raises(ValueError):
        split_total(total, weights)


@settings(max_examples=200, deadline=None)
@given(
    total=st.decimals(0, 10_000_000, places=2),
    weights=st.lists(st.decimals(0, 1_000_000, places=4), min_size=1, max_size=30).filter(any),
)
def test_parts_add_up_to_the_total_and_stay_within_a_cent_of_the_exact_share(total, weights):
    parts = split_total(total, dict(enumerate(weights)))

    assert sum(parts.values()) == total
    whole = sum(weights)
    for key, weight in enumerate(weights):
        assert parts[key] >= 0
        assert abs(parts[key] - total * weight / whole) < D("0.01")


def test_a_ramp_starts_in_the_hire_month_and_ends_at_full_quota():
    steps = [D(25), D(50), D(75)]
    hired = date(2026, 2, 17)

    ramps = [ramp_percent(hired, date(2026, m, 1), steps) for m in range(1, 7)]

    assert ramps == [D(0), D(25), D(50), D(75), D(100), D(100)]
    assert ramp_percent(None, date(2026, 1, 1), steps) == D(100)
    assert ramp_percent(date(2025, 12, 31), date(2026, 1, 1), steps) == D(50)
