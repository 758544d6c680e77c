"""Sales operations' pay desk: build, review, close and reopen a period; resolve disputes."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import access
from compensation.models import Dispute, DisputeStatus, RunAction, StatementRun
from compensation.review import run_list, run_review
from compensation.selectors import pay_period
from compensation.services import dispute_resolve
from compensation.services.disputes import dispute_default_adjustment
from compensation.services.runs import statement_run_fail, statement_run_start, statements_reopen
from compensation.tasks import statement_run_execute
from core.queue import QueueUnreachable, task_enqueue_on_commit
from org.models import User
from pages.pay_forms import DisputeResolveForm, ReopenForm, RunForm


def pay_admin(request: HttpRequest, doing: str = "runs statements and resolves disputes") -> User:
    """The signed-in user, if they manage pay (sales operations); else a 403 saying so."""
    user = access.signed_in(request)
    if not access.can_manage_comp_plans(user):
        raise PermissionDenied(f"Only sales operations {doing}.")
    return user


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_safe
def run_index(request: HttpRequest) -> HttpResponse:
    user = pay_admin(request)
    periods = Paginator(run_list(access.visible_statements(user)), 24).get_page(
        request.GET.get("page")
    )
    runs = StatementRun.objects.select_related("started_by")[:10]
    # The month under way is what sales operations builds most often.
    start = timezone.localdate().replace(day=1)
    context = {"periods": periods, "runs": runs, "form": RunForm(initial={"start": start})}
    return render(request, "compensation/runs.html", context)


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    user = pay_admin(request)
    form = RunForm(request.POST)
    action = request.POST.get("action", RunAction.BUILD)
    if not form.is_valid():
        periods = Paginator(run_list(access.visible_statements(user)), 24).get_page(1)
        context = {"periods": periods, "runs": StatementRun.objects.all()[:10], "form": form}
        return render(request, "compensation/runs.html", context, status=400)
    try:
        run = statement_run_start(by=user, action=action, **form.cleaned_data)
    except ValidationError as error:
        _errors(request, error)
        return redirect("compensation:runs")
    try:
        task_enqueue_on_commit(
            statement_run_execute, run.pk, consequence="the run was recorded but not started"
        )
    except QueueUnreachable as error:
        statement_run_fail(run=run, message=str(error))
        return HttpResponse(str(error), status=503)
    return redirect("compensation:run", pk=run.pk)


def _run(request: HttpRequest, pk: int) -> StatementRun:
    pay_admin(request)
    return get_object_or_404(StatementRun, pk=pk)


@login_required
@require_safe
def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "compensation/run.html", {"run": _run(request, pk)})


@login_required
@require_safe
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = _run(request, pk)
    return JsonResponse(
        {
            "state": run.get_state_display(),
            "done": run.finished,
            "reps": run.reps,
            "reps_done": run.done,
            "percent": run.percent,
        }
    )


def _period(period: str, start: str) -> date:
    try:
        day = date.fromisoformat(start)
        pay_period(period, day)
    except (ValueError, ValidationError):
        raise BadRequest(f"{period} from {start} is not a pay period.") from None
    return day


@login_required
@require_safe
def period_page(request: HttpRequest, period: str, start: str) -> HttpResponse:
    user = pay_admin(request)
    review = run_review(access.visible_statements(user), period, _period(period, start))
    context = {"review": review, "reopen": ReopenForm()}
    return render(request, "compensation/period.html", context)


@login_required
@require_POST
def period_reopen(request: HttpRequest, period: str, start: str) -> HttpResponse:
    user = pay_admin(request)
    day = _period(period, start)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            count = statements_reopen(
                period=period, start=day, by=user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, f"{count} statements reopened and rebuilt.")
    else:
        messages.error(request, "Say why the closed period is reopened.")
    return redirect("compensation:period", period=period, start=start)


@login_required
@require_safe
def dispute_index(request: HttpRequest) -> HttpResponse:
    user = pay_admin(request)
    disputes = access.visible_disputes(user).select_related(
        "statement__rep", "line", "raised_by", "resolved_by"
    )
    open_ = [(d, dispute_default_adjustment(d)) for d in disputes.filter(status="open")]
    decided = Paginator(disputes.exclude(status=DisputeStatus.OPEN), 25).get_page(
        request.GET.get("page")
    )
    context = {"open": open_, "decided": decided, "form": DisputeResolveForm()}
    return render(request, "compensation/disputes.html", context)


@login_required
@require_POST
def dispute_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = pay_admin(request)
    dispute: Dispute = get_object_or_404(access.visible_disputes(user), pk=pk)
    form = DisputeResolveForm(request.POST)
    if not form.is_valid():
        for field, problems in form.errors.get_json_data().items():
            said = " ".join(problem["message"] for problem in problems)
            label = getattr(form.fields.get(field), "label", None) or field
            messages.error(request, f"Dispute #{pk}, {label}: {said}")
        return redirect("compensation:disputes")
    data = form.cleaned_data
    try:
        dispute_resolve(
            dispute=dispute,
            by=user,
            accept=data["decision"] == "accept",
            note=data["note"],
            amount=data["amount"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"Dispute #{pk}: {message}")
    else:
        messages.success(
            request, f"Dispute #{pk} {'accepted' if data['decision'] == 'accept' else 'rejected'}."
        )
    return redirect("compensation:disputes")
