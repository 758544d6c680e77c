"""Disputes: a rep questions a closed statement; sales operations accepts or rejects."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compensation.engine.compute import CENT
from compensation.models import Dispute, DisputeKind, DisputeStatus, Statement, StatementLine
from org.models import User
from pipeline.models import Deal


def dispute_raise(
    *,
    statement: Statement,
    by: User,
    kind: str,
    expected: Decimal,
    actual: Decimal,
    description: str = "",
    line: StatementLine | None = None,
    deal: Deal | None = None,
) -> Dispute:
    """Raise a dispute on a closed statement: on one of its lines (wrong credit: expected and
    actual credit %; wrong amount: expected and actual pay) or about a missing deal."""
    if not statement.is_closed:
        raise ValidationError(
            {
                "statement": "Dispute a statement once its period is closed; until then it is "
                "rebuilt from the data."
            }
        )
    if line is not None and line.statement_id != statement.pk:
        raise ValidationError({"line": "This line is on another statement."})
    dispute = Dispute(
        statement=statement,
        line=line,
        kind=kind,
        deal=deal or (line.deal if line else None),
        expected=expected,
        actual=actual,
        description=description,
        raised_by=by,
    )
    dispute.full_clean()
    dispute.save()
    return dispute


def dispute_default_adjustment(dispute: Dispute) -> Decimal | None:
    """What accepting pays when the resolver gives no amount: the difference between expected
    and actual pay; for a wrong credit, the line's pay scaled by the expected credit."""
    if dispute.kind != DisputeKind.WRONG_CREDIT:
        return dispute.expected - dispute.actual
    if not dispute.actual or dispute.line is None:
        return None
    scaled = dispute.line.amount * (dispute.expected - dispute.actual) / dispute.actual
    return scaled.quantize(Decimal("0.01"))


def dispute_resolve(
    *, dispute: Dispute, by: User, accept: bool, note: str, amount: Decimal | None = None
) -> Dispute:
    """Accept a dispute, paying `amount` (by default `dispute_default_adjustment`) as an
    adjustment line on the rep's next statement built, or reject it."""
    if not note.strip():
        raise ValidationError({"note": "Say why the dispute is accepted or rejected."})
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.status != DisputeStatus.OPEN:
            raise ValidationError("This dispute is already resolved.")
        if accept:
            dispute.amount = _accepted_amount(dispute, amount)
        dispute.status = DisputeStatus.ACCEPTED if accept else DisputeStatus.REJECTED
        dispute.resolved_by, dispute.resolved_at = by, timezone.now()
        dispute.resolution_note = note
        dispute.full_clean()
        dispute.save()
    return dispute


def _accepted_amount(dispute: Dispute, amount: Decimal | None) -> Decimal:
    amount = dispute_default_adjustment(dispute) if amount is None else amount
    if amount is None:
        raise ValidationError({"amount": "Give the amount to pay for this dispute."})
    if amount != amount.quantize(CENT) or not amount:
        raise ValidationError({"amount": "An adjustment is a non-zero amount in cents."})
    return amount


def dispute_actual(kind: str, line: StatementLine | None) -> Decimal:
    """What the statement says for the disputed value: the line's credit % for a wrong credit,
    its amount for a wrong amount, nothing for a missing deal."""
    if line is None or kind == DisputeKind.MISSING_DEAL:
        return Decimal(0)
    if kind == DisputeKind.WRONG_CREDIT:
        if line.credit is None:
            raise ValidationError({"kind": "This line has no credit share: dispute its amount."})
        return line.credit
    return line.amount
