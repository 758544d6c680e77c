"""Building, closing, recalculating and adjusting statements.

An open statement is derived data: building it replaces its lines with what the engine computes
from the current data, inside one transaction, keyed by (rep, period, start), so building twice
gives the same statement and never a second one. A closed statement is locked: its lines never
change; a recalculation or an accepted dispute appends adjustment lines saying who and why.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from compensation import engine
from compensation.engine.compute import CENT, cents, shown_attainment
from compensation.models import Dispute, LineKind, Statement, StatementLine, StatementStatus
from compensation.selectors import RepInputs, disputes_pending, pay_period, period_inputs
from compensation.services.lines import (
    BASE_PLACES,
    EXACT_PLACES,
    line_rows,
    lines_delete,
    lines_insert,
    rows_digest,
    statements_update,
)
from core.periods import Period
from org.models import User
from pipeline.models import Deal

RECALCULATION = "Recalculation"
DISPUTE = "Dispute"
MANUAL = "Manual adjustment"


@dataclass
class BuildSummary:
    period: str
    start: date
    built: int = 0
    locked: int = 0
    removed: int = 0
    closed: int = 0
    adjusted: int = 0

    def as_dict(self) -> dict:
        return {**asdict(self), "start": self.start.isoformat()}


def _line(statement: Statement, position: int, line: engine.Line) -> StatementLine:
    return StatementLine(
        statement=statement,
        position=position,
        kind=line.kind,
        component=line.component,
        deal_id=line.deal_id,
        deal_name=line.deal_name,
        closed_on=line.closed_on,
        credit=line.credit,
        base=None if line.base is None else line.base.quantize(BASE_PLACES),
        tier=line.tier,
        rate=line.rate,
        exact=line.exact.quantize(EXACT_PLACES),
        amount=line.amount,
        explanation=line.explanation[:400],
        reason=line.explanation if line.kind == LineKind.ADJUSTMENT else "",
    )


STATEMENT_FIELDS = [
    "plan_id",
    "end",
    "currency",
    "quota",
    "attained",
    "attainment",
    "total",
    "draw_balance",
    "built_at",
    "lines_digest",
]


def _statement_values(
    inputs: RepInputs, result: engine.Result, period: Period, now: datetime, digest: str
) -> dict:
    attainment = result.attainment
    values = (
        inputs.assignment.plan_id,
        period.end,
        inputs.terms.currency,
        inputs.quota,
        result.attained.quantize(Decimal("0.0001")),
        None if attainment is None else shown_attainment(attainment),
        result.total,
        result.draw_balance,
        now,
        digest,
    )
    return dict(zip(STATEMENT_FIELDS, values, strict=True))


def dispute_line(dispute: Dispute) -> engine.Line:
    """An accepted dispute as an adjustment line of the rep's next statement."""
    assert dispute.amount is not None  # only accepted disputes with an amount are pending
    deal = dispute.deal
    was = f"{dispute.statement.get_period_display().lower()} from {dispute.statement.start}"
    text = (
        f"Dispute #{dispute.pk} ({dispute.get_kind_display()}) on the {was}, accepted by "
        f"{dispute.resolved_by}: {dispute.resolution_note}"
    )
    return engine.Line(
        kind="adjustment",
        exact=dispute.amount,
        amount=dispute.amount,
        explanation=text,
        component=DISPUTE,
        deal_id=deal.pk if deal else None,
        deal_name=deal.name if deal else "",
        closed_on=deal.closed_on if deal else None,
    )


def _with_disputes(result: engine.Result, disputes: list[Dispute]) -> engine.Result:
    extra = tuple(dispute_line(dispute) for dispute in disputes)
    total = result.total + sum((line.amount for line in extra), Decimal(0))
    return replace(result, lines=result.lines + extra, total=total)


def _rebuild(
    existing: dict[int, Statement], inputs: list[RepInputs], kind: str, period: Period, now
) -> tuple[int, int]:
    """Rebuild every open statement in `inputs`, with the accepted disputes not yet paid as
    adjustments; a statement whose lines come out the same keeps them. Returns (built, locked)."""
    fresh, kept, rewritten = [], [], []
    pending = disputes_pending(kind, [rep.rep_id for rep in inputs], period.start)
    for rep in inputs:
        statement = existing.get(rep.rep_id)
        if statement is not None and statement.is_closed:
            continue
        result = _with_disputes(rep.compute(period), pending.get(rep.rep_id, []))
        rows = line_rows(result.lines)
        values = _statement_values(rep, result, period, now, rows_digest(rows))
        if statement is None:
            statement = Statement(rep_id=rep.rep_id, period=kind, start=period.start)
            fresh.append((statement, rows))
        elif statement.lines_digest == values["lines_digest"]:
            kept.append(statement)
        else:
            rewritten.append((statement, rows))
        for name, value in values.items():
            setattr(statement, name, value)
    lines_delete([statement.pk for statement, _ in rewritten])
    statements_update(kept + [statement for statement, _ in rewritten], STATEMENT_FIELDS)
    Statement.objects.bulk_create([statement for statement, _ in fresh], batch_size=1000)
    lines_insert([(statement.pk, rows) for statement, rows in rewritten + fresh], now)
    built = len(fresh) + len(kept) + len(rewritten)
    return built, len(inputs) - built


def _locked(kind: str, period: Period, rep_ids: Collection[int] | None) -> dict[int, Statement]:
    rows = Statement.objects.select_for_update().filter(period=kind, start=period.start)
    if rep_ids is not None:
        rows = rows.filter(rep_id__in=rep_ids)
    return {row.rep_id: row for row in rows}


def statements_build(
    *,
    period: str,
    start: date,
    rep_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> BuildSummary:
    """Build the open statements of one month or fiscal quarter (all reps on a plan paying per
    `period`, or those in `rep_ids`) from the current data. Closed statements stay untouched;
    open statements of reps no longer on such a plan are removed."""
    span = pay_period(period, start)
    summary = BuildSummary(period, start)
    with transaction.atomic():
        existing = _locked(period, span, rep_ids)
        inputs = period_inputs(period, span, rep_ids)
        summary.built, summary.locked = _rebuild(
            existing, inputs, period, span, now or timezone.now()
        )
        paid = {rep.rep_id for rep in inputs}
        stale = [s.pk for s in existing.values() if not s.is_closed and s.rep_id not in paid]
        Statement.objects.filter(pk__in=stale).delete()
        summary.removed = len(stale)
    return summary


def statements_close(
    *,
    period: str,
    start: date,
    by: User | None,
    rep_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> BuildSummary:
    """Build the period's open statements one last time and lock them."""
    now = now or timezone.now()
    with transaction.atomic():
        summary = statements_build(period=period, start=start, rep_ids=rep_ids, now=now)
        rows = Statement.objects.filter(period=period, start=start, status=StatementStatus.OPEN)
        if rep_ids is not None:
            rows = rows.filter(rep_id__in=rep_ids)
        closing = list(rows.values_list("pk", "rep_id"))
        summary.closed = rows.update(status=StatementStatus.CLOSED, closed_at=now, closed_by=by)
        _disputes_settle(period, start, closing)
    return summary


def _disputes_settle(period: str, start: date, closed: list[tuple[int, int]]) -> None:
    """Tie each pending dispute to the adjustment line that paid it on a statement just closed
    (built from the same pending list, in the same order)."""
    pending = disputes_pending(period, [rep for _, rep in closed], start)
    statements = {rep: statement for statement, rep in closed if rep in pending}
    if not statements:
        return
    lines: dict[int, list[StatementLine]] = defaultdict(list)
    paid = StatementLine.objects.filter(
        statement_id__in=statements.values(), kind=LineKind.ADJUSTMENT, component=DISPUTE
    )
    for line in paid.order_by("statement_id", "position"):
        lines[line.statement_id].append(line)
    for rep, statement_id in statements.items():
        for dispute, line in zip(pending[rep], lines[statement_id], strict=False):
            dispute.adjustment = line
            dispute.save(update_fields=["adjustment"])


def _by_deal(amounts: Iterable[tuple[int | None, Decimal]]) -> dict[int | None, Decimal]:
    totals: dict[int | None, Decimal] = defaultdict(Decimal)
    for deal_id, amount in amounts:
        totals[deal_id] += amount
    return totals


def _recalculation_lines(
    statement: Statement, result: engine.Result, by: User
) -> list[engine.Line]:
    """One adjustment per deal (and one for the lines about no deal) whose pay changed, against
    the locked lines and earlier recalculations (not against manual or dispute adjustments)."""
    counted = statement.lines.filter(~Q(kind=LineKind.ADJUSTMENT) | Q(component=RECALCULATION))
    before = _by_deal(counted.values_list("deal_id", "amount"))
    after = _by_deal((line.deal_id, line.amount) for line in result.lines)
    names: dict[int | None, str] = dict(counted.values_list("deal_id", "deal_name"))
    names.update({line.deal_id: line.deal_name for line in result.lines})
    closed = {line.deal_id: line.closed_on for line in result.lines}
    adjustments = []
    for deal_id in sorted(set(before) | set(after), key=lambda d: (d is None, d or 0)):
        old, new = before.get(deal_id, Decimal(0)), after.get(deal_id, Decimal(0))
        if old == new:
            continue
        what = (names.get(deal_id) or f"deal #{deal_id}") if deal_id else "Lines about no deal"
        text = f"Recalculated by {by}: {what} now pays {new:.2f}, the locked lines {old:.2f}"
        adjustments.append(
            engine.Line(
                kind="adjustment",
                exact=new - old,
                amount=new - old,
                explanation=text,
                component=RECALCULATION,
                deal_id=deal_id,
                deal_name=names.get(deal_id, ""),
                closed_on=closed.get(deal_id),
            )
        )
    return adjustments


def statements_recalculate(
    *,
    period: str,
    start: date,
    by: User,
    reason: str,
    rep_ids: Collection[int] | None = None,
) -> BuildSummary:
    """Recompute the period's closed statements from the current data and append, for every deal
    whose pay changed, an adjustment line by `by` saying `reason`. Running it again adds none."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the closed period is recalculated."})
    span = pay_period(period, start)
    summary = BuildSummary(period, start)
    with transaction.atomic():
        existing = _locked(period, span, rep_ids)
        for rep in period_inputs(period, span, rep_ids):
            statement = existing.get(rep.rep_id)
            if statement is None or not statement.is_closed:
                continue
            lines = _recalculation_lines(statement, rep.compute(span), by)
            for line in lines:
                _append(statement, line, by=by, reason=reason)
            summary.adjusted += len(lines)
    return summary


def _append(
    statement: Statement, line: engine.Line, *, by: User | None, reason: str
) -> StatementLine:
    last = statement.lines.aggregate(last=Max("position"))["last"] or 0
    row = _line(statement, last + 1, line)
    row.created_by, row.reason = by, reason
    row.full_clean()
    row.save()
    Statement.objects.filter(pk=statement.pk).update(
        total=statement.total + line.amount, lines_digest=""
    )
    statement.total += line.amount
    return row


def statement_adjust_check(*, statement: Statement, amount: Decimal, reason: str) -> None:
    """Only closed statements take adjustments: a non-zero amount in cents, with a reason."""
    if not statement.is_closed:
        raise ValidationError(
            {
                "statement": "An open statement is rebuilt from the data: correct the data, "
                "or adjust the statement once its period is closed."
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the statement is adjusted."})
    if amount != amount.quantize(CENT) or not amount:
        raise ValidationError({"amount": "An adjustment is a non-zero amount in cents."})


def statement_adjust(
    *,
    statement: Statement,
    amount: Decimal,
    reason: str,
    by: User,
    deal: Deal | None = None,
    source: str = MANUAL,
) -> StatementLine:
    """Add an adjustment line to a closed statement, saying who and why."""
    statement_adjust_check(statement=statement, amount=amount, reason=reason)
    text = f"{source} by {by}: {reason}"
    line = engine.Line(
        kind="adjustment",
        exact=amount,
        amount=cents(amount),
        explanation=text,
        component=source,
        deal_id=deal.pk if deal else None,
        deal_name=deal.name if deal else "",
        closed_on=deal.closed_on if deal else None,
    )
    with transaction.atomic():
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        row = _append(locked, line, by=by, reason=reason)
    statement.total = locked.total
    return row
