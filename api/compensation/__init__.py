"""The compensation API: plans (everyone reads, admins write), pay (statements, lines,
disputes, credit splits, payout previews) in the people scope, and the what-if simulation."""

from api.compensation.credits import DealCreditViewSet, DealPayoutViewSet
from api.compensation.plans import CompPlanViewSet, PlanAssignmentViewSet, PlanComponentViewSet
from api.compensation.statements import DisputeViewSet, StatementLineViewSet, StatementViewSet

__all__ = [
    "CompPlanViewSet",
    "DealCreditViewSet",
    "DealPayoutViewSet",
    "DisputeViewSet",
    "PlanAssignmentViewSet",
    "PlanComponentViewSet",
    "StatementLineViewSet",
    "StatementViewSet",
]
