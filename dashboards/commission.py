"""The rep's pay on their dashboard: commission earned so far in the period."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.urls import reverse

import access
from compensation.models import PlanAssignment
from compensation.selectors import pay_period, period_inputs
from core.periods import period_containing
from dashboards.common import (
    Tile,
)
from dashboards.filters import Filters
from org.models import User


@dataclass(frozen=True)
class Commission:
    text: str
    note: str
    url: str | None


def commission_tile(user: User, person: User | None, filters: Filters, today: date) -> Tile:
    found = commission_so_far(user, person, filters.on)
    statements = reverse("compensation:statement-list")
    if found is None:
        return Tile(
            "commission",
            "Commission earned so far",
            None,
            "—",
            note="pick one rep to see their pay"
            if person is None
            else "no compensation plan assigned: sales operations assigns one in the admin",
        )
    return Tile(
        "commission", "Commission earned so far", None, found.text, statements, note=found.note
    )


def commission_so_far(user: User, person: User | None, on: date) -> Commission | None:
    """The pay the rep's plan gives for the pay period holding `on`, from deals won so far."""
    if person is None or not access.can_see_pay_of(user, person):
        return None
    assignment = (
        PlanAssignment.objects.filter(rep=person, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("plan")
        .order_by("-start")
        .first()
    )
    if assignment is None:
        return None
    kind = assignment.plan.period
    period = pay_period(kind, period_containing(on, kind).start)
    inputs = period_inputs(kind, period, [person.pk])
    if not inputs:
        return None
    result = inputs[0].compute(period)
    text = f"{result.total:,.2f} {assignment.plan.currency}"
    return Commission(text, f"{assignment.plan.name}, {kind} from {period.start.isoformat()}", None)
