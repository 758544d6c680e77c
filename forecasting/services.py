from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import MONEY
from core.periods import end_of_day, period_containing
from forecasting.blending import TrackPoint, Weight, track_from_runs
from forecasting.build import (
    LineValues,
    Plan,
    ScopeInput,
    calls_in_force,
    facts_collect,
    forecast_periods,
    lines_build,
    plan_build,
)
from forecasting.models import ForecastCall, ForecastLine, ForecastRun, PipelineSnapshot, RunStatus
from forecasting.probabilities import win_probabilities_learn
from forecasting.scopes import Org
from org.models import User
from pipeline.models import StageKind
from pipeline.selectors import deal_states_as_of
from scoring.selectors import deal_scores_apply

ZERO = Value(0, output_field=DecimalField(**MONEY))


def pipeline_snapshot_take(*, day: date) -> int:
    """Rebuild the open-pipeline snapshot of `day` from deal history; returns rows written.

    Running it again for the same day replaces that day's rows, so it is safe to retry.
    """
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability") / 100, output_field=DecimalField(**MONEY)
    )
    rows = (
        deal_states_as_of(end_of_day(day))
        .filter(status=StageKind.OPEN)
        .values("owner_id", "stage_id")
        .annotate(
            deals=Count("id"),
            total=Coalesce(Sum("amount"), ZERO),
            weighted_total=Coalesce(Sum(weighted), ZERO),
        )
    )
    snapshots = [
        PipelineSnapshot(
            taken_on=day,
            owner_id=row["owner_id"],
            stage_id=row["stage_id"],
            deals=row["deals"],
            amount=row["total"],
            weighted_amount=round(row["weighted_total"], 2),
        )
        for row in rows
    ]
    with transaction.atomic():
        PipelineSnapshot.objects.filter(taken_on=day).delete()
        PipelineSnapshot.objects.bulk_create(snapshots)
    return len(snapshots)


def forecast_plan(
    *, as_of: date, track: list[TrackPoint] | None = None, scored: bool = False
) -> Plan:
    """The database pass of a forecast as of the end of `as_of`: every scope's numbers.

    `track` (what earlier forecasts said) weighs the blend; by default, the stored runs'.
    `scored`: the weighted pipeline uses the stored deal scores instead of stage rates.
    """
    track = track_from_runs(as_of) if track is None else track
    moment = end_of_day(as_of)
    probabilities = win_probabilities_learn(moment=moment)
    facts = facts_collect(as_of=as_of, moment=moment, probabilities=probabilities, scored=scored)
    calls = calls_in_force(moment, facts.periods)
    return plan_build(org=Org.load(), facts=facts, calls=calls, track=track)


def forecast_compute(
    *,
    as_of: date,
    track: list[TrackPoint] | None = None,
    progress: Callable[[int, int], None] | None = None,
    scored: bool = False,
) -> tuple[list[LineValues], dict[str, int]]:
    """Every scope's forecast lines as of the end of `as_of`, computed but not stored."""
    plan = forecast_plan(as_of=as_of, track=track, scored=scored)
    return lines_build(plan=plan, progress=progress)


def forecast_run(*, as_of: date, progress: Callable[[int, int], None] | None = None) -> ForecastRun:
    """Forecast every scope for the periods ahead of `as_of`, from history as it stood then,
    in this process.

    The lines are written in one transaction with the run marked succeeded, replacing any
    earlier run of the same day. On any error the run is marked failed with it (earlier runs
    stay untouched, no line is written) and the error is raised again, for the task to retry.
    A process killed mid-run leaves its run marked running, with no line; the next run of the
    day replaces it too, so there is only ever one complete run per as-of date.
    """
    started = timezone.now()
    scored = deal_scores_apply(as_of=as_of)
    run = ForecastRun.objects.create(as_of=as_of, started_at=started, weighted_by_scores=scored)
    try:
        with transaction.atomic():
            lines, models_used = forecast_compute(as_of=as_of, progress=progress, scored=scored)
            _lines_save(run, lines, models_used, started)
    except Exception as error:
        _run_fail(run, error, started)
        raise
    return run


def forecast_run_start(*, as_of: date) -> tuple[ForecastRun, Plan]:
    """Open a run marked running and make its plan, for workers to fit in chunks
    (`forecast_chunk_save`) and one to close (`forecast_run_finish`). An error marks the run
    failed and is raised again."""
    started = timezone.now()
    scored = deal_scores_apply(as_of=as_of)
    run = ForecastRun.objects.create(as_of=as_of, started_at=started, weighted_by_scores=scored)
    try:
        return run, forecast_plan(as_of=as_of, scored=scored)
    except Exception as error:
        _run_fail(run, error, started)
        raise


def forecast_chunk_save(
    *, run_id: int, as_of: date, weights: dict[int, Weight], items: list[ScopeInput]
) -> dict[str, int]:
    """Fit and write the lines of some of a running run's scopes; returns how many series each
    model fitted. Done again (a worker lost, the task retried), it replaces its own lines, so
    a chunk is written once whatever happens. A run already closed or replaced is left alone."""
    lines, models_used = lines_build(plan=Plan(forecast_periods(as_of), weights, items))
    with transaction.atomic():
        run = ForecastRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != RunStatus.RUNNING:
            return {}
        keys: dict[str, set[str]] = defaultdict(set)
        for item in items:
            keys[item.scope.kind].add(item.scope.key)
        for kind, of_kind in keys.items():  # a query per kind of scope, not per scope
            run.lines.filter(scope_kind=kind, scope_key__in=of_kind).delete()
        ForecastLine.objects.bulk_create(_line_rows(run, lines), batch_size=2000)
    return models_used


def forecast_run_finish(
    *, run_id: int, lines: int, models_used: list[dict[str, int]]
) -> ForecastRun:
    """Mark a run succeeded once its chunks wrote all its `lines`, replacing the other runs of
    its day in the same transaction; a run already finished is returned as it is."""
    run = ForecastRun.objects.get(pk=run_id)
    with transaction.atomic():
        ForecastRun.objects.select_for_update().filter(as_of=run.as_of).exists()
        run.refresh_from_db()
        if run.status != RunStatus.RUNNING:
            return run
        written = run.lines.count()
        if written != lines:
            raise RuntimeError(f"The run has {written} of its {lines} lines.")
        used: Counter[str] = Counter()
        for chunk in models_used:
            used.update(chunk)
        _run_succeed(run, dict(used))
    return run


def forecast_run_fail(*, run_id: int, error: Exception) -> None:
    """Mark a running run failed with the error of one of its parts (its lines are deleted)."""
    run = ForecastRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).first()
    if run is not None:
        run.lines.all().delete()
        _run_fail(run, error, run.started_at)


def _line_rows(run: ForecastRun, lines: list[LineValues]) -> list[ForecastLine]:
    return [
        ForecastLine(
            run=run,
            scope_kind=line.scope.kind,
            scope_key=line.scope.key,
            scope_name=line.scope.name[:200],
            person_id=line.scope.person_id,
            territory_id=line.scope.territory_id,
            period_kind=line.period_kind,
            period_start=line.period_start,
            **line.values,
        )
        for line in lines
    ]


def _run_succeed(run: ForecastRun, models_used: dict) -> None:
    ForecastRun.objects.filter(as_of=run.as_of).exclude(pk=run.pk).delete()
    finished = timezone.now()
    run.status = RunStatus.SUCCEEDED
    run.finished_at = finished
    run.duration_seconds = (finished - run.started_at).total_seconds()
    run.models_used = models_used
    run.save()


def _lines_save(run: ForecastRun, lines: list, models_used: dict, started: datetime) -> None:
    with transaction.atomic():
        ForecastLine.objects.bulk_create(_line_rows(run, lines), batch_size=2000)
        run.started_at = started
        _run_succeed(run, models_used)


def _run_fail(run: ForecastRun, error: Exception, started: datetime) -> None:
    finished = timezone.now()
    ForecastRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED,
        finished_at=finished,
        duration_seconds=(finished - started).total_seconds(),
        error=f"{type(error).__name__}: {error}"[:5000],
    )


def forecast_call_make(
    *,
    by: User,
    scope_kind: str,
    scope_key: str = "",
    period_kind: str,
    period_start: date,
    amount: Decimal,
    comment: str,
    best_case: Decimal | None = None,
) -> ForecastCall:
    """Record a manager's call (their commit and best case, with why) for a scope and period.

    A call is never overwritten: the latest stands and appears beside the model in the next
    run, the earlier ones stay as the history of who called what when.
    """
    try:
        period = period_containing(period_start, period_kind)
    except ValueError as error:
        raise ValidationError({"period_start": str(error)}) from None
    if period_start != period.start:
        raise ValidationError({"period_start": f"Not the first day of a {period_kind}."})
    _call_amounts_check(amount, best_case)
    call = ForecastCall(
        scope_kind=scope_kind,
        scope_key=scope_key,
        period_kind=period_kind,
        period_start=period_start,
        amount=amount,
        best_case=best_case,
        currency=settings.DEFAULT_CURRENCY,
        comment=comment.strip(),
        made_by=by,
        made_at=timezone.now(),
    )
    call.full_clean()
    call.save()
    return call


def _call_amounts_check(commit: Decimal, best_case: Decimal | None) -> None:
    errors = {}
    if commit < 0:
        errors["amount"] = "The commit cannot be negative."
    if best_case is not None and best_case < 0:
        errors["best_case"] = "The best case cannot be negative."
    elif best_case is not None and best_case < commit:
        errors["best_case"] = (
            f"The best case ({best_case:,.2f}) cannot be below the commit ({commit:,.2f})."
        )
    if errors:
        raise ValidationError(errors)
