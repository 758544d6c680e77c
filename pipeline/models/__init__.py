"""Accounts, products, stages, deals and their history, activities, subscriptions, surveys, and
the import log: one module per concept, every model importable from here."""

from pipeline.models.accounts import Account, AccountAssignment, SegmentTier
from pipeline.models.activities import Activity, ActivityKind
from pipeline.models.catalog import Billing, ForecastCategory, Product, Stage, StageKind
from pipeline.models.deals import Deal, DealChange, DealType
from pipeline.models.imports import ImportedKey, ImportRun, ImportStatus
from pipeline.models.revenue import Subscription, SurveyKind, SurveyResponse

__all__ = [
    "Account",
    "AccountAssignment",
    "Activity",
    "ActivityKind",
    "Billing",
    "Deal",
    "DealChange",
    "DealType",
    "ForecastCategory",
    "ImportRun",
    "ImportStatus",
    "ImportedKey",
    "Product",
    "SegmentTier",
    "Stage",
    "StageKind",
    "Subscription",
    "SurveyKind",
    "SurveyResponse",
]
