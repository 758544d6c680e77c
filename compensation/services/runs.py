"""Statement runs from the browser: build or close a period in batches with progress, and
reopen a closed period (an audited admin action)."""

import logging
from collections import Counter
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from compensation.models import (
    Dispute,
    LineKind,
    RunAction,
    RunState,
    Statement,
    StatementLine,
    StatementRun,
    StatementStatus,
)
from compensation.selectors import assignments_in, pay_period
from compensation.services.statements import (
    DISPUTE,
    BuildSummary,
    statements_build,
    statements_close,
)
from org.audit import audit_write
from org.models import User

BATCH = 100
logger = logging.getLogger(__name__)


def statement_run_start(*, period: str, start: date, action: str, by: User | None) -> StatementRun:
    """Record a queued run of `action` ("build" or "close") for the period; the caller queues
    `statement_run_execute` with its id."""
    pay_period(period, start)
    if action not in RunAction.values:
        raise ValidationError({"action": "A run builds or closes a period."})
    busy = StatementRun.objects.filter(
        period=period, start=start, state__in=[RunState.QUEUED, RunState.RUNNING]
    )
    if busy.exists():
        raise ValidationError("A run of this period is already under way: wait for it to end.")
    return StatementRun.objects.create(period=period, start=start, action=action, started_by=by)


def statement_run_fail(*, run: StatementRun, message: str) -> None:
    _finish(run, RunState.FAILED, {}, message)


def statement_run_execute(run_id: int) -> dict:
    """Do a queued run, a batch of reps per transaction, counting the reps done as it goes."""
    claimed = StatementRun.objects.filter(pk=run_id, state=RunState.QUEUED)
    if not claimed.update(state=RunState.RUNNING):
        return {"run": run_id, "skipped": True}
    run = StatementRun.objects.get(pk=run_id)
    span = pay_period(run.period, run.start)
    rep_ids = sorted(assignments_in(span, run.period))
    StatementRun.objects.filter(pk=run.pk).update(reps=len(rep_ids))
    totals: Counter[str] = Counter()
    try:
        removed = _stale_remove(run.period, run.start, rep_ids)
        totals["removed"] += removed
        for first in range(0, len(rep_ids), BATCH):
            batch = rep_ids[first : first + BATCH]
            summary = _batch(run, batch)
            totals.update({k: v for k, v in summary.as_dict().items() if isinstance(v, int)})
            StatementRun.objects.filter(pk=run.pk).update(done=first + len(batch))
    except Exception as error:  # the run shows what failed; the batches done stay done
        logger.exception("Statement run %s failed", run.pk)
        _finish(run, RunState.FAILED, dict(totals), f"{type(error).__name__}: {error}")
        return {"run": run.pk, "failed": True}
    _finish(run, RunState.DONE, dict(totals), "")
    return {"run": run.pk, **totals}


def _batch(run: StatementRun, rep_ids: list[int]) -> BuildSummary:
    if run.action == RunAction.CLOSE:
        return statements_close(
            period=run.period, start=run.start, by=run.started_by, rep_ids=rep_ids
        )
    return statements_build(period=run.period, start=run.start, rep_ids=rep_ids)


def _stale_remove(period: str, start: date, rep_ids: list[int]) -> int:
    """Open statements of reps no longer on a plan for the period go."""
    stale = Statement.objects.filter(period=period, start=start, status=StatementStatus.OPEN)
    return stale.exclude(rep_id__in=rep_ids).delete()[1].get("compensation.Statement", 0)


def _finish(run: StatementRun, state: str, summary: dict, error: str) -> None:
    StatementRun.objects.filter(pk=run.pk).update(
        state=state, summary=summary, error=error, finished_at=timezone.now()
    )


def statements_reopen(*, period: str, start: date, by: User, reason: str) -> int:
    """Reopen a closed period so it is rebuilt from the data again: only the latest closed
    period of its kind, without disputes or manual adjustments on it; each statement reopened
    is written to the audit log with the reason. Returns how many were reopened."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the closed period is reopened."})
    pay_period(period, start)
    with transaction.atomic():
        closed = list(
            Statement.objects.select_for_update().filter(
                period=period, start=start, status=StatementStatus.CLOSED
            )
        )
        _reopen_check(period, start, closed)
        Dispute.objects.filter(adjustment__statement__in=closed).update(adjustment=None)
        for statement in closed:
            audit_write(
                statement,
                "reopened",
                {"status": StatementStatus.CLOSED},
                {"status": StatementStatus.OPEN},
                reason=reason,
                actor=by,
            )
        ids = [statement.pk for statement in closed]
        Statement.objects.filter(pk__in=ids).update(
            status=StatementStatus.OPEN, closed_at=None, closed_by=None
        )
        statements_build(period=period, start=start)
    return len(ids)


def _reopen_check(period: str, start: date, closed: list[Statement]) -> None:
    if not closed:
        raise ValidationError("This period has no closed statements to reopen.")
    reps = [statement.rep_id for statement in closed]
    later = Statement.objects.filter(
        period=period, start__gt=start, status=StatementStatus.CLOSED, rep_id__in=reps
    )
    if later.exists():
        raise ValidationError(
            "A later period is closed, and it carries this one's draws and clawbacks: "
            "reopen the later periods first."
        )
    if Dispute.objects.filter(statement__in=closed).exists():
        raise ValidationError(
            "Statements of this period are disputed: a reopened period would lose the lines "
            "the disputes name. Recalculate the closed period instead."
        )
    manual = StatementLine.objects.filter(statement__in=closed, kind=LineKind.ADJUSTMENT)
    if manual.filter(~Q(component=DISPUTE)).exists():
        raise ValidationError(
            "Statements of this period have manual adjustments or recalculations, which a "
            "rebuild would drop: adjust the next period instead."
        )
