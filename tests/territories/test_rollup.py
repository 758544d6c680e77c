"""Regions and areas add up their sub-territories in the territory table, as the treemap does."""

from decimal import Decimal

from planning.selectors.performance import Performance, rolled_up


def row(name: str, revenue: str, won: int, lost: int, previous: str = "0", quota=None):
    return Performance(
        territory=name, revenue=Decimal(revenue), quota=quota, attainment=None, win_rate=None,
        previous_revenue=Decimal(previous), growth=None, won=won, lost=lost,
    )  # fmt: skip


def test_a_region_adds_up_its_areas_and_their_territories():
    rows = [
        row("Americas", "0", 0, 0, quota=Decimal("600")),
        row("East", "20", 1, 0),
        row("Boston", "100", 1, 1, previous="40"),
        row("Chicago", "50", 1, 2, previous="60"),
        row("Europe", "0", 0, 0),
    ]
    parents = {"Americas": None, "East": "Americas", "Boston": "East", "Chicago": "Americas",
               "Europe": None}  # fmt: skip
    found = {r.territory: r for r in rolled_up(rows, parents)}
    americas = found["Americas"]
    assert (americas.revenue, americas.won, americas.lost) == (Decimal("170"), 3, 3)
    assert americas.win_rate == Decimal("0.5")
    assert americas.attainment == Decimal("170") / Decimal("600")
    assert americas.growth == (Decimal("170") - Decimal("100")) / Decimal("100")
    east = found["East"]
    assert (east.revenue, east.won, east.lost) == (Decimal("120"), 2, 1)
    assert east.previous_revenue == Decimal("40")
    assert east.attainment is None  # no quota of its own
    assert found["Boston"].revenue == Decimal("100")
    assert found["Boston"].win_rate == Decimal("0.5")
    europe = found["Europe"]
    assert (europe.revenue, europe.win_rate, europe.growth) == (Decimal(0), None, None)
