"""The plan designer (sales operations): plans listed, created and changed from one page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

import access
from compensation.models import CompPlan
from compensation.services.designer import PlanDraft, plan_design_save
from org.models import Role, User
from pages.pay_forms import PlanDesignForm
from pages.statement_runs import pay_admin


def _admin(request: HttpRequest) -> User:
    return pay_admin(request, "designs plans")


@login_required
@require_safe
def plan_index(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    plans = access.visible_comp_plans(user).prefetch_related("assignments")
    return render(request, "compensation/plans.html", {"plans": plans})


def _initial(plan: CompPlan) -> tuple[dict, list[tuple[str, str]]]:
    commission = plan.components.filter(kind="commission").first()
    spif = plan.components.filter(kind="spif").first()
    initial = {name: getattr(plan, name) for name in ("name", "start", "period", "quota_metric")}
    initial |= {n: getattr(plan, n) for n in ("cap", "draw", "draw_recoverable", "clawback_days")}
    initial["base"] = commission.base if commission else "bookings"
    if spif is not None:
        initial |= {"spif_product": spif.spif_product, "spif_fixed": spif.spif_fixed}
        initial |= {"spif_from": spif.spif_from, "spif_to": spif.spif_to}
    initial["reps"] = list(plan.assignments.filter(end__isnull=True).values_list("rep", flat=True))
    tiers = commission.tiers.all() if commission else []
    return initial, [(f"{t.floor.normalize():f}", f"{t.rate.normalize():f}") for t in tiers]


def _draft(form: PlanDesignForm) -> PlanDraft:
    data = form.cleaned_data
    fields = {k: v for k, v in data.items() if k not in ("effective",)}
    fields["clawback_days"] = data["clawback_days"] or 0
    return PlanDraft(**fields, tiers=form.tiers)


def _design(request: HttpRequest, plan: CompPlan | None) -> HttpResponse:
    user = _admin(request)
    reps = access.visible_people(user).filter(role__in=[Role.REP, Role.MANAGER], is_active=True)
    if request.method == "POST":
        rows = list(zip(request.POST.getlist("floor"), request.POST.getlist("rate"), strict=False))
        form = PlanDesignForm(request.POST, reps=reps, tiers=rows)
        if form.is_valid():
            try:
                saved = plan_design_save(
                    draft=_draft(form), plan=plan, effective=form.cleaned_data["effective"]
                )
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, f"Plan {saved} saved.")
                return redirect("compensation:plan-edit", pk=saved.pk)
        status = 400
    else:
        initial, rows = _initial(plan) if plan else ({}, [("0", "")])
        form = PlanDesignForm(initial=initial, reps=reps, tiers=rows)
        status = 200
    context = {"form": form, "plan": plan, "in_use": plan is not None and plan.statements.exists()}
    return render(request, "compensation/plan_design.html", context, status=status)


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    return _design(request, None)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plans = access.visible_comp_plans(_admin(request))
    return _design(request, get_object_or_404(plans, pk=pk))
