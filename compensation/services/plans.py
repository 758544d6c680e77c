"""Writes to compensation plans that span several rows."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from compensation.models import BonusThreshold, PlanComponent, RateTier


def plan_component_save(
    *,
    component: PlanComponent,
    tiers: Iterable[tuple[Decimal, Decimal]] | None = None,
    thresholds: Iterable[tuple[Decimal, Decimal]] | None = None,
) -> PlanComponent:
    """Save a component and, when given, replace its rate tiers (floor %, rate %) and bonus
    thresholds (attainment %, amount) in one transaction."""
    with transaction.atomic():
        component.full_clean()
        component.save()
        if tiers is not None:
            _replace(component, RateTier, [{"floor": f, "rate": r} for f, r in tiers])
        if thresholds is not None:
            rows = [{"attainment": a, "amount": m} for a, m in thresholds]
            _replace(component, BonusThreshold, rows)
    return component


def _replace(component: PlanComponent, model, rows: list[dict]) -> None:
    for old in model.objects.filter(component=component):
        old.delete()  # one by one, so the audit log records each
    for values in rows:
        row = model(component=component, **values)
        row.full_clean()
        row.save()
