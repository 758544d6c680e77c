"""The engine's inputs and outputs: frozen dataclasses of Decimal, date, int and str.

Percents are written as percents (5 means 5 %). Money is Decimal in the plan's currency.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Tier:
    floor: Decimal  # attainment % where the tier starts; it ends where the next one starts
    rate: Decimal  # % of the base paid for the slice of attainment inside the tier


@dataclass(frozen=True)
class Commission:
    name: str
    base: str  # "bookings", "recurring" or "margin"
    tiers: tuple[Tier, ...]
    cap: Decimal | None = None


@dataclass(frozen=True)
class CreditedDeal:
    """A won deal as one rep is credited with it."""

    deal_id: int
    name: str
    amount: Decimal  # the whole deal's amount
    credit: Decimal  # this rep's share, %
    closed_on: date
    product_id: int | None = None
    recurring: bool = False  # its product bills recurring
    new_business: bool = True

    @property
    def credited(self) -> Decimal:
        return self.amount * self.credit / HUNDRED


@dataclass(frozen=True)
class Spif:
    """Pays `fixed` (times the rep's credit share) or `percent` of the credited amount for each
    deal matching every rule that is set: product, close-date window, minimum deal size."""

    name: str
    fixed: Decimal | None = None
    percent: Decimal | None = None
    product_id: int | None = None
    closed_from: date | None = None
    closed_to: date | None = None
    min_amount: Decimal | None = None
    cap: Decimal | None = None

    def matches(self, deal: CreditedDeal) -> bool:
        return (
            (self.product_id is None or deal.product_id == self.product_id)
            and (self.closed_from is None or deal.closed_on >= self.closed_from)
            and (self.closed_to is None or deal.closed_on <= self.closed_to)
            and (self.min_amount is None or deal.amount >= self.min_amount)
        )


@dataclass(frozen=True)
class Threshold:
    attainment: Decimal  # %
    amount: Decimal


@dataclass(frozen=True)
class Bonus:
    """Every threshold reached pays its own amount."""

    name: str
    thresholds: tuple[Threshold, ...]
    cap: Decimal | None = None


@dataclass(frozen=True)
class Plan:
    name: str
    currency: str = "USD"
    quota_metric: str = "bookings"  # "bookings", "new_recurring" or "deals_won"
    margin_percent: Decimal = ZERO
    commissions: tuple[Commission, ...] = ()
    spifs: tuple[Spif, ...] = ()
    bonuses: tuple[Bonus, ...] = ()
    cap: Decimal | None = None  # on the period's earnings: commissions, SPIFs and bonuses
    draw: Decimal | None = None  # guaranteed pay per period
    draw_recoverable: bool = True
    clawback_days: int = 0


@dataclass(frozen=True)
class PaidDeal:
    """A deal paid on an earlier closed statement, then cancelled or churned on `event_on`."""

    deal_id: int
    name: str
    closed_on: date
    paid: Decimal  # what its lines on closed statements add up to
    event: str  # "cancelled" or "churned"
    event_on: date


@dataclass(frozen=True)
class Line:
    kind: str
    exact: Decimal  # before rounding
    amount: Decimal  # in cents
    explanation: str
    component: str = ""
    deal_id: int | None = None
    deal_name: str = ""
    closed_on: date | None = None
    credit: Decimal | None = None
    base: Decimal | None = None
    tier: str = ""
    rate: Decimal | None = None


@dataclass(frozen=True)
class Result:
    lines: tuple[Line, ...]
    total: Decimal  # the sum of the lines' amounts
    attained: Decimal  # the credited measure toward the quota
    attainment: Decimal | None  # % of quota; None without a quota
    draw_balance: Decimal  # recoverable draw still owed after the period

    def lines_for(self, deal_id: int) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.deal_id == deal_id)
