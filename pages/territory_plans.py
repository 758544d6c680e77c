"""The balance report and segmentation pages (read by executives, changed by admins)."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import access
from core.periods import period_containing
from core.query import parse_date
from pages.territories import admin_only, named_moves, planner, render_page, saved
from pages.territory_forms import IcpCriterionForm, ReassignDateForm
from planning.models import IcpCriterion
from planning.selectors.balance import balance_report, balance_suggestion, index_after
from planning.selectors.segments import (
    SIZE_TIERS,
    VALUE_TIERS,
    clv_factor,
    mrr_by_account,
    segment_accounts,
    segment_rows,
)
from planning.services.balance import balance_apply
from planning.services.segments import segment_apply


def _balance_inputs(request: HttpRequest, on: date) -> dict:
    user = access.signed_in(request)
    return {
        "accounts": access.visible_accounts(user),
        "deals": access.visible_deals(user),
        "quotas": access.visible_quotas(user),
        "period": period_containing(on, "year"),
        "on": on,
    }


def _on(request: HttpRequest) -> date:
    on = parse_date(request.GET.get("on"), "on") or timezone.localdate()
    if on > timezone.localdate():
        raise BadRequest("on is today or an earlier day.")
    return on


@require_safe
@planner
def balance(request: HttpRequest) -> HttpResponse:
    inputs = _balance_inputs(request, _on(request))
    report = balance_report(**inputs)
    moves = balance_suggestion(inputs["accounts"], report.reps)
    context = {
        "report": report,
        "moves": named_moves(moves),
        "after": index_after(inputs["accounts"], report.reps, moves),
        "apply": ReassignDateForm(initial={"on": report.on}),
    }
    return render_page(request, "balance", context)


@require_POST
@admin_only
def balance_apply_view(request: HttpRequest) -> HttpResponse:
    form = ReassignDateForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else None
    moved: list = []
    inputs = _balance_inputs(request, on) if on else {}
    if saved(form, lambda: moved.extend(balance_apply(**inputs, actor=access.signed_in(request)))):
        assert on is not None  # saved: the form was valid
        messages.success(request, f"{len(moved)} accounts moved from {on.isoformat()}.")
        return redirect("territories:balance")
    return render_page(request, "form", {"form": form, "title": "Apply the balance moves"}, 400)


@require_safe
@planner
def segments(request: HttpRequest) -> HttpResponse:
    return _segments_page(request)


def _segments_page(request: HttpRequest, form: IcpCriterionForm | None = None) -> HttpResponse:
    today = timezone.localdate()
    accounts = access.visible_accounts(access.signed_in(request))
    factor = clv_factor(access.visible_scope(access.signed_in(request)), today)
    mrr = mrr_by_account(accounts, today)
    rows = segment_rows(segment_accounts(accounts), mrr=mrr, clv_per_mrr=factor)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    criteria = list(IcpCriterion.objects.all())
    context = {
        "page": page,
        "summary": _summary(rows),
        "criteria": [(c, IcpCriterionForm(instance=c, prefix=f"c{c.pk}")) for c in criteria],
        "new": form or IcpCriterionForm(),
        "weights": sum(c.weight for c in criteria),
        "clv_factor": factor,
        "size_tiers": SIZE_TIERS,
        "value_tiers": VALUE_TIERS,
    }
    return render_page(request, "segments", context, 400 if form is not None else 200)


def _summary(rows: list) -> list[dict]:
    """Accounts and won revenue per ABC class, with the revenue share."""
    total = sum(row.account.won for row in rows)
    summary = []
    for name in ("A", "B", "C"):
        mine = [row for row in rows if row.abc == name]
        won = sum((row.account.won for row in mine), 0)
        share = won / total if total else None
        summary.append({"class": name, "accounts": len(mine), "won": won, "share": share})
    return summary


@require_POST
@admin_only
def criterion_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    criterion = get_object_or_404(IcpCriterion, pk=pk) if pk else None
    prefix = f"c{pk}" if pk else None
    form = IcpCriterionForm(request.POST, instance=criterion, prefix=prefix)
    if not form.is_valid():
        return _segments_page(request, form)
    form.save()
    messages.success(request, "Ideal-customer criteria saved.")
    return redirect("territories:segments")


@require_POST
@admin_only
def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(IcpCriterion, pk=pk).delete()
    messages.success(request, "Criterion deleted.")
    return redirect("territories:segments")


@require_POST
@admin_only
def tiers_apply(request: HttpRequest) -> HttpResponse:
    changed = segment_apply(accounts=access.visible_accounts(access.signed_in(request)))
    messages.success(request, f"Size tiers written to {changed} accounts' segment.")
    return redirect("territories:segments")
