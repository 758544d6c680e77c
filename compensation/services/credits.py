"""Who is credited with a deal."""

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from compensation.models import DealCredit
from org.models import User
from pipeline.models import Deal

HUNDRED = Decimal(100)


def deal_credit_check(shares: Mapping[User, Decimal]) -> None:
    """Shares are each above 0 % and add up to exactly 100 % (none at all: the owner's)."""
    if not shares:
        return
    if any(percent <= 0 for percent in shares.values()):
        raise ValidationError({"shares": "Every share is more than 0 %."})
    total = sum(shares.values(), Decimal(0))
    if total != HUNDRED:
        raise ValidationError({"shares": f"Shares add up to {total} %, not 100 %."})


def deal_credit_set(*, deal: Deal, shares: Mapping[User, Decimal]) -> list[DealCredit]:
    """Replace a deal's credit split; an empty split credits the owner with 100 %."""
    deal_credit_check(shares)
    with transaction.atomic():
        for credit in DealCredit.objects.filter(deal=deal).select_for_update():
            credit.delete()  # one by one, so the audit log records each
        rows = []
        for rep, percent in shares.items():
            credit = DealCredit(deal=deal, rep=rep, percent=percent)
            credit.full_clean()
            credit.save()
            rows.append(credit)
    return rows
