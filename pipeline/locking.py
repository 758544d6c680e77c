"""Closed facts are locked: what a won or lost deal was worth, when, for whom and where.

Only an admin changes them, giving a reason, and every such change is audited (who may is
decided in `access`). Re-crediting a closed deal to another rep is the one way to move its
credit; nothing else does (`crediting.credit_at_close` keeps a credit once stamped). A change
to a deal already paid on in a closed statement period shows as an adjustment line when that
period is recalculated (see compensation).
"""

from typing import Any

from django.db import transaction

from org.audit import audit_state, audit_write
from org.models import User
from pipeline.crediting import CLOSED, lines_at_close
from pipeline.models import Deal

LOCKED = ("account", "owner", "territory", "amount", "currency", "stage", "closed_on")
CREDIT = ("closed_owner", "closed_manager", "closed_team")


def locked_changes(deal: Deal, values: dict[str, Any]) -> list[str]:
    """The locked fields `values` would change, if `deal` is closed as stored."""
    if deal.pk is None or deal.status not in CLOSED:
        return []
    return [
        name
        for name in LOCKED
        if name in values and _plain(values[name]) != _plain(getattr(deal, name))
    ]


def _plain(value: Any) -> Any:
    return getattr(value, "pk", value)


@transaction.atomic
def closed_deal_change(deal: Deal, values: dict[str, Any], *, by: User, reason: str) -> Deal:
    """Apply `values` to a closed deal and audit its locked fields, old (as stored) and new."""
    old = audit_state(Deal.objects.get(pk=deal.pk), LOCKED)
    for name, value in values.items():
        setattr(deal, name, value)
    deal.save(changed_by=by)
    audit_write(deal, "updated", old, audit_state(deal, LOCKED), reason=reason, actor=by)
    return deal


@transaction.atomic
def deal_recredit(deal: Deal, *, to: User, by: User, reason: str) -> Deal:
    """Credit a closed deal to `to`, with the manager and team of their reporting line on the
    close date; audited with `reason`."""
    if deal.status not in CLOSED:
        raise ValueError("Only a closed deal has a credit to move: this deal is open.")
    old = audit_state(deal, CREDIT)
    deal.closed_owner_id = to.pk
    lines_at_close([deal])
    Deal.objects.filter(pk=deal.pk).update(
        closed_owner_id=deal.closed_owner_id,
        closed_manager_id=deal.closed_manager_id,
        closed_team_id=deal.closed_team_id,
        changed_by=by,
    )
    audit_write(deal, "recredit", old, audit_state(deal, CREDIT), reason=reason, actor=by)
    return deal
