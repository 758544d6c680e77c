"""Applying the balance report's suggested moves."""

from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from core.periods import Period
from org.models import User
from pipeline.accounts import Move, moves_apply
from pipeline.models import Account, Deal
from planning.selectors.balance import balance_report, balance_suggestion
from quotas.models import Quota


def balance_apply(
    *,
    accounts: QuerySet[Account],
    deals: QuerySet[Deal],
    quotas: QuerySet[Quota],
    period: Period,
    on: date,
    actor: User | None,
) -> list[Move]:
    """Work the suggestion out again and apply it, in one transaction, with history."""
    with transaction.atomic():
        report = balance_report(accounts, deals, quotas, period=period, on=on)
        moves = balance_suggestion(accounts, report.reps)
        moves_apply(moves=moves, on=on, source="balance", actor=actor)
    return moves
