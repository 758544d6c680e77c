"""Writes to the territory tree and to who works each territory."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from org.models import User
from territories.models import Territory, TerritoryAssignment
from territories.selectors import territory_subtree_ids


def territory_save(*, territory: Territory) -> Territory:
    """Create, rename or move a territory; the model refuses loops and duplicate names."""
    if territory.parent is not None and territory.parent.closed_on is not None:
        raise ValidationError({"parent": f"{territory.parent} is closed."})
    territory.full_clean()
    territory.save()
    return territory


def territory_close(*, territory: Territory, on: date) -> int:
    """Close a territory and everything below it from `on`; their reps' assignments end then.

    Returns the number of territories closed. Accounts stay where they are until moved (the
    balance report and the rules never send accounts to a closed territory).
    """
    ids = territory_subtree_ids([territory.pk])
    with transaction.atomic():
        closing = Territory.objects.filter(pk__in=ids).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=on)
        )
        count = 0
        for node in closing:  # one by one, so the audit log sees each
            node.closed_on = on
            node.save(update_fields=["closed_on"])
            count += 1
        running = TerritoryAssignment.objects.filter(territory_id__in=ids)
        for assignment in running.filter(Q(end__isnull=True) | Q(end__gt=on)):
            assignment.end = max(on, assignment.start)
            assignment.save(update_fields=["end"])
    return count


def rep_assign(
    *, territory: Territory, rep: User, start: date, end: date | None, capacity: int = 100
) -> TerritoryAssignment:
    """Put a rep on a territory for a while; overlapping the same rep's stint there is refused."""
    if territory.is_closed(start):
        raise ValidationError({"start": f"{territory} is closed from {territory.closed_on}."})
    overlap = TerritoryAssignment.objects.filter(territory=territory, rep=rep).filter(
        Q(end__isnull=True) | Q(end__gt=start)
    )
    if end is not None:
        overlap = overlap.filter(start__lt=end)
    if overlap.exists():
        raise ValidationError({"rep": f"{rep} already works {territory} in those dates."})
    assignment = TerritoryAssignment(
        territory=territory, rep=rep, start=start, end=end, capacity=capacity
    )
    assignment.full_clean()
    assignment.save()
    return assignment


def assignment_end(*, assignment: TerritoryAssignment, on: date) -> TerritoryAssignment:
    """End a rep's stint in a territory on `on` (the last day is the day before)."""
    assignment.end = on
    assignment.full_clean()
    assignment.save(update_fields=["end"])
    return assignment
