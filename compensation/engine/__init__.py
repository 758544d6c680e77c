"""The pay engine, a pure function: `statement_compute(plan, quota, deals, period)`."""

from compensation.engine.compute import statement_compute
from compensation.engine.types import (
    Bonus,
    Commission,
    CreditedDeal,
    Line,
    PaidDeal,
    Plan,
    Result,
    Spif,
    Threshold,
    Tier,
)

__all__ = [
    "Bonus",
    "Commission",
    "CreditedDeal",
    "Line",
    "PaidDeal",
    "Plan",
    "Result",
    "Spif",
    "Threshold",
    "Tier",
    "statement_compute",
]
