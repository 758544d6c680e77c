"""Writing segmentation results back to accounts."""

from django.db import transaction
from django.db.models import F, QuerySet

from org.audit import audit_bulk
from pipeline.models import Account
from planning.selectors.segments import size_tier


def segment_apply(*, accounts: QuerySet[Account]) -> int:
    """Set each account's segment to its size tier (so every dashboard's segment filter uses
    them); returns how many accounts changed. One UPDATE, computed in the database, and an
    audit entry per account that changed."""
    with transaction.atomic():
        changed = accounts.annotate(tier=size_tier()).exclude(segment=F("tier"))
        moves = {
            pk: (name, {"segment": [old, new]})
            for pk, name, old, new in changed.values_list("pk", "name", "segment", "tier")
        }
        Account.objects.filter(pk__in=moves).update(segment=size_tier())
        audit_bulk(Account, moves)
    return len(moves)
