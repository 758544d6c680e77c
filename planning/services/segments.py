"""Writing segmentation results back to accounts."""

from django.db import transaction
from django.db.models import F, QuerySet

from pipeline.models import Account
from planning.selectors.segments import size_tier


def segment_apply(*, accounts: QuerySet[Account]) -> int:
    """Set each account's segment to its size tier (so every dashboard's segment filter uses
    them); returns how many accounts changed. One UPDATE, computed in the database."""
    with transaction.atomic():
        changed = accounts.alias(tier=size_tier()).exclude(segment=F("tier"))
        ids = list(changed.values_list("pk", flat=True))
        Account.objects.filter(pk__in=ids).update(segment=size_tier())
    return len(ids)
