"""Applying the assignment rules."""

from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from pipeline.models import Account
from territories.models import User
from territories.selectors.rules import assignment_preview
from territories.services.accounts import Move, moves_apply


def assignment_apply(*, accounts: QuerySet[Account], on: date, actor: User | None) -> list[Move]:
    """Move every account as `assignment_preview` shows, in one transaction, with history."""
    with transaction.atomic():
        moves = assignment_preview(accounts, on)
        moves_apply(moves=moves, on=on, source="rule", actor=actor)
    return moves
