"""The pay engine: a plan, a quota, credited deals and a period in; explained lines out.

A pure function over the dataclasses in `types`: no database, no clock, no settings.

Rounding (the one rule): every amount is computed exactly in Decimal and rounded half-up to
cents once per deal and component, or once per line for lines that are not about a deal's
commission. When one deal's credit crosses tiers, its slice lines share that one rounding: each
slice is the deal's running exact amount rounded, less what the slices before it were given, so
the slices add up to the deal's exact commission rounded once. The total is the sum of the
rounded lines. Rounding each deal once (not each slice) keeps pay monotonic: more attainment never
pays a cent less.

Order of the lines: commissions (deals by close date, then id; tiers low to high), each
component's cap, SPIFs, attainment bonuses, the plan's cap, clawbacks, then the draw.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from compensation.engine.types import (
    HUNDRED,
    ZERO,
    Bonus,
    Commission,
    CreditedDeal,
    Line,
    PaidDeal,
    Plan,
    Result,
    Spif,
    Tier,
)
from core.periods import Period

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def running_cents(exacts: Sequence[Decimal]) -> list[Decimal]:
    """Round a sequence so it adds up to its exact sum rounded once."""
    amounts, running = [], ZERO
    for exact in exacts:
        before = cents(running)
        running += exact
        amounts.append(cents(running) - before)
    return amounts


def show(value: Decimal) -> str:
    """1,234.50 — with more decimals only when the value has them (at most 6)."""
    if value == value.quantize(CENT):  # most values: the same answer, without normalizing
        return f"{value:,.2f}"
    exponent = value.normalize().as_tuple().exponent
    places = min(max(2, -exponent if isinstance(exponent, int) else 2), 6)
    return f"{value:,.{places}f}"


def pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


@dataclass(frozen=True)
class Band:
    """A tier as a range of the attained measure: [low, high), high None for the top tier."""

    tier: Tier
    low: Decimal
    high: Decimal | None
    label: str


def tier_label(floor: Decimal, ceiling: Decimal | None) -> str:
    return f"{pct(floor)}+" if ceiling is None else f"{pct(floor)}–{pct(ceiling)}"


def bands(tiers: Iterable[Tier], quota: Decimal | None) -> list[Band]:
    """The tiers in measure units. Below the lowest tier's floor nothing is paid; without a
    quota attainment cannot be placed, and everything falls in the tier that starts at 0 %."""
    ordered = sorted(tiers, key=lambda tier: tier.floor)
    if not ordered:
        return []
    if ordered[0].floor > 0:
        ordered.insert(0, Tier(ZERO, ZERO))
    if not quota:
        return [Band(ordered[0], ZERO, None, "no quota: first tier")]
    result = []
    for index, tier in enumerate(ordered):
        ceiling = ordered[index + 1].floor if index + 1 < len(ordered) else None
        high = None if ceiling is None else quota * ceiling / HUNDRED
        label = tier_label(tier.floor, ceiling)
        result.append(Band(tier, quota * tier.floor / HUNDRED, high, label))
    return result


def slices(all_bands: list[Band], reached: Decimal, step: Decimal) -> list[tuple[Band, Decimal]]:
    """How much of [reached, reached + step) of the measure falls in each band."""
    if step <= 0:
        inside = [band for band in all_bands if band.low <= reached]
        return [(inside[-1] if inside else all_bands[0], ZERO)]
    end = reached + step
    result = []
    for band in all_bands:
        high = end if band.high is None else min(end, band.high)
        overlap = high - max(reached, band.low)
        if overlap > 0:
            result.append((band, overlap))
    return result


def measure_of(plan: Plan, deal: CreditedDeal) -> Decimal:
    """What a deal adds toward the quota's metric."""
    if plan.quota_metric == "deals_won":
        return deal.credit / HUNDRED
    if plan.quota_metric == "new_recurring":
        return deal.credited if deal.recurring and deal.new_business else ZERO
    return deal.credited


def base_of(plan: Plan, base: str, deal: CreditedDeal) -> Decimal:
    """What a commission pays on for this deal."""
    if base == "recurring":
        return deal.credited if deal.recurring else ZERO
    if base == "margin":
        return deal.credited * plan.margin_percent / HUNDRED
    return deal.credited


def base_words(plan: Plan, base: str, deal: CreditedDeal) -> str:
    words = f"{pct(deal.credit)} of {show(deal.amount)}"
    if base == "margin":
        words += f" x {pct(plan.margin_percent)} margin"
    return words


def split_base(base: Decimal, step: Decimal, parts: list[tuple[Band, Decimal]]) -> list[Decimal]:
    """Apportion a deal's base to its slices; the last slice takes the remainder, so the slices
    add up to the base exactly."""
    if len(parts) == 1:
        return [base]
    shares = [overlap if base == step else base * overlap / step for _, overlap in parts[:-1]]
    return [*shares, base - sum(shares, ZERO)]


def deal_commission(
    plan: Plan, component: Commission, deal: CreditedDeal, base: Decimal, parts: list
) -> list[Line]:
    step = measure_of(plan, deal)
    pieces = list(zip(parts, split_base(base, step, parts), strict=True))
    exacts = [piece * band.tier.rate / HUNDRED for (band, _), piece in pieces]
    lines = []
    rounded = running_cents(exacts)
    for ((band, _), piece), exact, amount in zip(pieces, exacts, rounded, strict=True):
        text = (
            f"{deal.name}: {base_words(plan, component.base, deal)}; {show(piece)} in tier "
            f"{band.label} x {pct(band.tier.rate)} = {show(exact)}"
        )
        if amount != cents(exact):
            text += f", {show(amount)} (the deal's tiers are rounded once, together)"
        lines.append(
            Line(
                kind="commission",
                exact=exact,
                amount=amount,
                explanation=text,
                component=component.name,
                deal_id=deal.deal_id,
                deal_name=deal.name,
                closed_on=deal.closed_on,
                credit=deal.credit,
                base=piece,
                tier=band.label,
                rate=band.tier.rate,
            )
        )
    return lines


def cap_line(lines: list[Line], cap: Decimal | None, name: str) -> list[Line]:
    """A negative line bringing `lines` down to `cap`, when they earn more."""
    earned = sum((line.amount for line in lines), ZERO)
    if cap is None or earned <= cap:
        return []
    over = earned - cap
    text = f"{name} is capped at {show(cap)}: {show(earned)} earned, {show(over)} over the cap"
    return [
        Line(kind="cap", exact=-over, amount=-over, explanation=text, component=name, base=earned)
    ]


def commission_lines(
    plan: Plan, component: Commission, deals: Sequence[CreditedDeal], quota: Decimal | None
) -> list[Line]:
    all_bands = bands(component.tiers, quota)
    lines: list[Line] = []
    reached = ZERO
    for deal in deals:
        step = measure_of(plan, deal)
        base = base_of(plan, component.base, deal)
        if base > 0 and all_bands:
            parts = slices(all_bands, reached, step)
            lines += deal_commission(plan, component, deal, base, parts)
        reached += step
    return lines + cap_line(lines, component.cap, component.name)


def spif_line(spif: Spif, deal: CreditedDeal) -> Line:
    if spif.fixed is not None:
        base, rate, what = spif.fixed, deal.credit, "credit share"
    else:
        base, rate, what = deal.credited, spif.percent or ZERO, "SPIF rate"
    exact = base * rate / HUNDRED
    text = f"{deal.name} matches {spif.name}: {show(base)} x {pct(rate)} {what} = {show(exact)}"
    return Line(
        kind="spif",
        exact=exact,
        amount=cents(exact),
        explanation=text,
        component=spif.name,
        deal_id=deal.deal_id,
        deal_name=deal.name,
        closed_on=deal.closed_on,
        credit=deal.credit,
        base=base,
        rate=rate,
    )


def spif_lines(spif: Spif, deals: Sequence[CreditedDeal]) -> list[Line]:
    lines = [spif_line(spif, deal) for deal in deals if spif.matches(deal)]
    return lines + cap_line(lines, spif.cap, spif.name)


def bonus_lines(bonus: Bonus, attainment: Decimal | None) -> list[Line]:
    if attainment is None:
        return []
    lines = []
    for threshold in sorted(bonus.thresholds, key=lambda t: t.attainment):
        if attainment >= threshold.attainment:
            text = (
                f"{bonus.name}: attainment {shown_attainment(attainment)}% reached "
                f"{pct(threshold.attainment)}, pays {show(threshold.amount)}"
            )
            lines.append(
                Line(
                    kind="bonus",
                    exact=threshold.amount,
                    amount=cents(threshold.amount),
                    explanation=text,
                    component=bonus.name,
                    tier=f"{pct(threshold.attainment)}+",
                )
            )
    return lines + cap_line(lines, bonus.cap, bonus.name)


def shown_attainment(attainment: Decimal) -> Decimal:
    """Two decimals, cut rather than rounded, so 99.999 % never reads as 100 %."""
    return attainment.quantize(CENT, rounding=ROUND_DOWN)


def clawback_lines(plan: Plan, paid: Iterable[PaidDeal], period: Period) -> list[Line]:
    lines = []
    for deal in sorted(paid, key=lambda p: (p.event_on, p.deal_id)):
        days = (deal.event_on - deal.closed_on).days
        # A payment still standing is taken back in the first period built after the event.
        if deal.paid <= 0 or deal.event_on >= period.end or not 0 <= days <= plan.clawback_days:
            continue
        text = (
            f"{deal.name} {deal.event} on {deal.event_on.isoformat()}, {days} days after closing "
            f"on {deal.closed_on.isoformat()} (window {plan.clawback_days} days): "
            f"{show(deal.paid)} paid is taken back"
        )
        lines.append(
            Line(
                kind="clawback",
                exact=-deal.paid,
                amount=-cents(deal.paid),
                explanation=text,
                deal_id=deal.deal_id,
                deal_name=deal.name,
                closed_on=deal.closed_on,
                base=deal.paid,
            )
        )
    return lines


def draw_lines(plan: Plan, earned: Decimal, balance: Decimal) -> tuple[list[Line], Decimal]:
    """Top pay up to the draw; a recoverable draw is won back from later pay above the draw."""
    if not plan.draw:
        return [], balance
    if earned < plan.draw:
        top_up = plan.draw - earned
        owed = " (recoverable)" if plan.draw_recoverable else " (not recoverable)"
        text = f"Draw: {show(earned)} earned, {show(top_up)} tops it up to {show(plan.draw)}{owed}"
        line = Line(kind="draw", exact=top_up, amount=top_up, explanation=text, base=earned)
        return [line], balance + top_up if plan.draw_recoverable else balance
    recovered = min(balance, earned - plan.draw)
    if recovered <= 0:
        return [], balance
    text = (
        f"Draw recovery: {show(recovered)} of the {show(balance)} drawn earlier, "
        f"from the {show(earned - plan.draw)} earned above the draw"
    )
    line = Line(kind="draw_recovery", exact=-recovered, amount=-recovered, explanation=text)
    return [line], balance - recovered


def total_of(lines: Iterable[Line]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)


def statement_compute(
    plan: Plan,
    quota: Decimal | None,
    deals: Iterable[CreditedDeal],
    period: Period,
    *,
    paid: Iterable[PaidDeal] = (),
    draw_balance: Decimal = ZERO,
) -> Result:
    """One rep's pay for one period: won deals closed in [period.start, period.end), credited
    to the rep; `paid` deals that may be clawed back; the recoverable draw owed so far."""
    inside = [deal for deal in deals if period.start <= deal.closed_on < period.end]
    inside.sort(key=lambda deal: (deal.closed_on, deal.deal_id))
    attained = sum((measure_of(plan, deal) for deal in inside), ZERO)
    attainment = attained * HUNDRED / quota if quota else None
    earnings: list[Line] = []
    for commission in plan.commissions:
        earnings += commission_lines(plan, commission, inside, quota)
    for spif in plan.spifs:
        earnings += spif_lines(spif, inside)
    for bonus in plan.bonuses:
        earnings += bonus_lines(bonus, attainment)
    earnings += cap_line(earnings, plan.cap, f"Plan {plan.name}")
    lines = earnings + clawback_lines(plan, paid, period)
    draws, balance = draw_lines(plan, total_of(lines), draw_balance)
    lines += draws
    return Result(tuple(lines), total_of(lines), attained, attainment, balance)
