"""Writes for compensation (and the two simulations, which write nothing)."""

from compensation.services.credits import deal_credit_set
from compensation.services.disputes import dispute_raise, dispute_resolve
from compensation.services.plans import plan_component_save
from compensation.services.simulations import deal_payout_preview, plan_what_if
from compensation.services.statements import (
    statement_adjust,
    statements_build,
    statements_close,
    statements_recalculate,
)

__all__ = [
    "deal_credit_set",
    "deal_payout_preview",
    "dispute_raise",
    "dispute_resolve",
    "plan_component_save",
    "plan_what_if",
    "statement_adjust",
    "statements_build",
    "statements_close",
    "statements_recalculate",
]
