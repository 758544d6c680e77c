"""Applying the assignment rules."""

from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from org.models import User
from pipeline.accounts import Move, moves_apply
from pipeline.models import Account
from planning.selectors.rules import assignment_preview


def assignment_apply(*, accounts: QuerySet[Account], on: date, actor: User | None) -> list[Move]:
    """Move every account as `assignment_preview` shows, in one transaction, with history."""
    with transaction.atomic():
        moves = assignment_preview(accounts, on)
        moves_apply(moves=moves, on=on, source="rule", actor=actor)
    return moves
