"""Worked examples of the pure engine, with the expected pay computed by hand."""

from datetime import date
from decimal import Decimal

from compensation.engine import (
    Bonus,
    Commission,
    CreditedDeal,
    PaidDeal,
    Plan,
    Spif,
    Threshold,
    Tier,
    statement_compute,
)
from core.periods import Period

D = Decimal
JANUARY = Period(date(2026, 1, 1), date(2026, 2, 1))
TIERED = Commission(
    "Commission",
    "bookings",
    # A decelerator below 50 %, the base rate to 100 %, an accelerator above.
    (Tier(D(0), D(2)), Tier(D(50), D(5)), Tier(D(100), D(8))),
)


def deal(deal_id: int, amount: str, day: int, **fields) -> CreditedDeal:
    fields.setdefault("credit", D(100))
    return CreditedDeal(deal_id, f"D{deal_id}", D(amount), closed_on=date(2026, 1, day), **fields)


def amounts(result) -> list[Decimal]:
    return [line.amount for line in result.lines]


def test_a_deal_crossing_two_tiers_pays_each_slice_at_its_tier_rate():
    plan = Plan("Tiered", commissions=(TIERED,))
    deals = [deal(1, "40000", 10), deal(2, "70000", 20)]

    result = statement_compute(plan, D("100000"), deals, JANUARY)

    # D1: 40,000 x 2 % = 800. D2 moves attainment from 40 % to 110 %:
    # 10,000 x 2 % = 200; 50,000 x 5 % = 2,500; 10,000 x 8 % = 800.
    assert [(line.deal_id, line.base, line.tier, line.rate) for line in result.lines] == [
        (1, D(40000), "0%–50%", D(2)),
        (2, D(10000), "0%–50%", D(2)),
        (2, D(50000), "50%–100%", D(5)),
        (2, D(10000), "100%+", D(8)),
    ]
    assert amounts(result) == [D("800.00"), D("200.00"), D("2500.00"), D("800.00")]
    assert result.total == D("4300.00")
    assert result.attainment == D(110)
    assert "10,000.00 in tier 100%+ x 8% = 800.00" in result.lines[3].explanation


def test_deals_are_placed_in_close_date_order_whatever_the_input_order():
    plan = Plan("Tiered", commissions=(TIERED,))
    late, early = deal(1, "70000", 20), deal(2, "40000", 10)

    result = statement_compute(plan, D("100000"), [late, early], JANUARY)

    assert [line.deal_id for line in result.lines] == [2, 1, 1, 1]
    assert result.total == D("4300.00")


def test_a_deal_spanning_tiers_is_rounded_once_across_its_tier_lines():
    plan = Plan(
        "Fine",
        commissions=(Commission("C", "bookings", (Tier(D(0), D(5)), Tier(D(100), D("7.5")))),),
    )
    # Quota 1,000; D1 takes attainment to 99.995 %, D2 (0.10) spans the 100 % boundary:
    # 0.05 x 5 % = 0.0025 and 0.05 x 7.5 % = 0.00375, 0.00625 in all, which rounds to 0.01.
    deals = [deal(1, "999.95", 10), deal(2, "0.10", 11)]

    result = statement_compute(plan, D("1000"), deals, JANUARY)

    assert [line.exact for line in result.lines] == [D("49.9975"), D("0.0025"), D("0.00375")]
    assert amounts(result) == [D("50.00"), D("0.00"), D("0.01")]
    assert result.total == D("50.01")


def test_a_component_cap_and_a_plan_cap_add_negative_lines_down_to_the_cap():
    capped = Commission("Commission", "bookings", (Tier(D(0), D(5)),), cap=D(1000))
    spif = Spif("Big deal", fixed=D(600))
    plan = Plan("Capped", commissions=(capped,), spifs=(spif,), cap=D(1200))

    result = statement_compute(plan, D("100000"), [deal(1, "30000", 5)], JANUARY)

    # 30,000 x 5 % = 1,500, capped at 1,000 (-500); SPIF 600; 1,600 capped by the plan at 1,200.
    assert [(line.kind, line.amount) for line in result.lines] == [
        ("commission", D("1500.00")),
        ("cap", D("-500.00")),
        ("spif", D("600.00")),
        ("cap", D("-400.00")),
    ]
    assert result.total == D("1200.00")


def test_a_spif_pays_only_deals_matching_product_window_and_size():
    spif = Spif(
        "Q1 launch",
        fixed=D(500),
        product_id=7,
        closed_from=date(2026, 1, 1),
        closed_to=date(2026, 1, 15),
        min_amount=D(10000),
    )
    percent = Spif("Launch kicker", percent=D(2), product_id=7)
    plan = Plan("SPIFs", spifs=(spif, percent))
    deals = [
        deal(1, "12000", 10, product_id=7),  # matches both
        deal(2, "8000", 12, product_id=7),  # too small for the fixed SPIF
        deal(3, "20000", 20, product_id=7),  # after the fixed SPIF's window
        deal(4, "15000", 5, product_id=8),  # another product
    ]

    result = statement_compute(plan, None, deals, JANUARY)

    # Fixed: 500 for D1. Percent (2 % of any deal of product 7): 240 + 160 + 400.
    assert [(line.component, line.deal_id, line.amount) for line in result.lines] == [
        ("Q1 launch", 1, D("500.00")),
        ("Launch kicker", 1, D("240.00")),
        ("Launch kicker", 2, D("160.00")),
        ("Launch kicker", 3, D("400.00")),
    ]
    assert result.total == D("1300.00")


def test_a_split_deal_pays_each_rep_their_share_and_a_fixed_spif_by_share():
    plan = Plan(
        "Flat",
        commissions=(Commission("C", "bookings", (Tier(D(0), D(10)),)),),
        spifs=(Spif("Any deal", fixed=D(1000)),),
    )

    rita = statement_compute(plan, None, [deal(1, "50000", 9, credit=D(60))], JANUARY)
    olga = statement_compute(plan, None, [deal(1, "50000", 9, credit=D(40))], JANUARY)

    # 60 % of 50,000 = 30,000 x 10 % = 3,000, and 60 % of the 1,000 SPIF; 40 %: 2,000 + 400.
    assert amounts(rita) == [D("3000.00"), D("600.00")]
    assert amounts(olga) == [D("2000.00"), D("400.00")]
    assert rita.total + olga.total == D("6000.00")


def test_recurring_and_margin_bases():
    plan = Plan(
        "Bases",
        margin_percent=D(40),
        commissions=(
            Commission("Recurring", "recurring", (Tier(D(0), D(10)),)),
            Commission("Margin", "margin", (Tier(D(0), D(5)),)),
        ),
    )
    deals = [deal(1, "10000", 3, recurring=True), deal(2, "5000", 4, recurring=False)]

    result = statement_compute(plan, None, deals, JANUARY)

    # Recurring: only D1, 10,000 x 10 % = 1,000. Margin: 40 % of each x 5 %: 200 and 100.
    assert [(line.component, line.base, line.amount) for line in result.lines] == [
        ("Recurring", D(10000), D("1000.00")),
        ("Margin", D(4000), D("200.00")),
        ("Margin", D(2000), D("100.00")),
    ]


def test_attainment_bonus_pays_every_threshold_reached():
    bonus = Bonus(
        "Club", (Threshold(D(100), D(1000)), Threshold(D(120), D(2000)), Threshold(D(150), D(5000)))
    )
    plan = Plan("Bonus", bonuses=(bonus,))

    result = statement_compute(plan, D("10000"), [deal(1, "12500", 3)], JANUARY)

    # 125 % reaches 100 % and 120 %, not 150 %.
    assert amounts(result) == [D("1000.00"), D("2000.00")]
    assert statement_compute(plan, None, [deal(1, "12500", 3)], JANUARY).lines == ()


def test_a_recoverable_draw_is_topped_up_then_won_back_from_pay_above_the_draw():
    plan = Plan(
        "Draw", commissions=(Commission("C", "bookings", (Tier(D(0), D(10)),)),), draw=D(3000)
    )
    february = Period(date(2026, 2, 1), date(2026, 3, 1))

    jan = statement_compute(plan, None, [deal(1, "10000", 5)], JANUARY)
    feb_deal = CreditedDeal(2, "D2", D("45000"), D(100), date(2026, 2, 5))
    feb = statement_compute(plan, None, [feb_deal], february, draw_balance=jan.draw_balance)

    # January earns 1,000: the draw tops it up by 2,000, owed back. February earns 4,500, of which
    # 1,500 is above the draw: 1,500 is recovered and 500 is still owed.
    assert [(line.kind, line.amount) for line in jan.lines] == [
        ("commission", D("1000.00")),
        ("draw", D("2000.00")),
    ]
    assert (jan.total, jan.draw_balance) == (D("3000.00"), D("2000.00"))
    assert [(line.kind, line.amount) for line in feb.lines] == [
        ("commission", D("4500.00")),
        ("draw_recovery", D("-1500.00")),
    ]
    assert (feb.total, feb.draw_balance) == (D("3000.00"), D("500.00"))


def test_a_non_recoverable_draw_is_never_owed_back():
    plan = Plan("Guarantee", draw=D(3000), draw_recoverable=False)

    result = statement_compute(plan, None, [], JANUARY, draw_balance=D(0))

    assert (result.total, result.draw_balance) == (D("3000.00"), D(0))


def test_a_clawback_takes_back_what_was_paid_only_within_the_window():
    plan = Plan("Claw", clawback_days=90)
    february = Period(date(2026, 2, 1), date(2026, 3, 1))
    inside = PaidDeal(1, "D1", date(2026, 1, 15), D("2000.00"), "cancelled", date(2026, 2, 10))
    too_late = PaidDeal(2, "D2", date(2025, 10, 1), D("900.00"), "churned", date(2026, 2, 10))
    later = PaidDeal(3, "D3", date(2026, 1, 20), D("300.00"), "churned", date(2026, 3, 5))

    result = statement_compute(plan, None, [], february, paid=[inside, too_late, later])

    # D1: 26 days after closing, inside 90. D2: 132 days. D3: after February.
    assert [(line.kind, line.deal_id, line.amount) for line in result.lines] == [
        ("clawback", 1, D("-2000.00"))
    ]
    assert "cancelled on 2026-02-10, 26 days after closing" in result.lines[0].explanation


def test_no_quota_pays_the_first_tier_and_no_bonus():
    plan = Plan("Tiered", commissions=(TIERED,))

    result = statement_compute(plan, None, [deal(1, "200000", 3)], JANUARY)

    assert (result.lines[0].tier, result.total, result.attainment) == (
        "no quota: first tier",
        D("4000.00"),
        None,
    )
