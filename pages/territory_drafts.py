"""Territory plan pages: drafts, their comparison with today, activation on a date."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

import access
from org.models import User
from pages.territories import planner, render_page, saved
from pages.territory_forms import ActivateForm, PlanForm, PlanSetForm
from planning.models import TerritoryPlan
from planning.selectors.plans import plan_compare
from planning.services.plans import plan_activate, plan_draft, plan_set


@planner
def plan_index(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and saved(form, lambda: plan_draft(**form.cleaned_data)):
        messages.success(request, f"Draft {form.cleaned_data['name']} created from today.")
        return redirect("territories:plan-list")
    context = {"plans": TerritoryPlan.objects.all(), "form": form}
    return render_page(request, "plans", context, 400 if form.errors else 200)


@planner
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(TerritoryPlan, pk=pk)
    form = PlanSetForm(request.POST or None)
    if request.method == "POST" and saved(form, lambda: plan_set(plan=plan, **form.cleaned_data)):
        messages.success(request, f"{form.cleaned_data['account']} placed in the draft.")
        return redirect("territories:plan-detail", pk)
    return _plan_page(request, plan, edit=form)


def _plan_page(request: HttpRequest, plan: TerritoryPlan, **forms) -> HttpResponse:
    moves, flows = plan_compare(plan, access.visible_deals(access.signed_in(request)))
    # No owner (None) matches no user: the filter would drop it anyway, `people.get` shows "—".
    owners = {pk for m in moves for pk in (m.owner_from, m.owner_to) if pk is not None}
    people: dict[int | None, str] = {
        user.pk: str(user) for user in User.objects.filter(pk__in=owners)
    }
    context = {
        "plan": plan,
        "moves": [(m, people.get(m.owner_from, "—"), people.get(m.owner_to, "—")) for m in moves],
        "flows": flows,
        "edit": PlanSetForm(),
        "activate": ActivateForm(initial={"on": timezone.localdate()}),
        **forms,
    }
    bound = any(form.is_bound and form.errors for form in forms.values())
    return render_page(request, "plan_detail", context, 400 if bound else 200)


@require_POST
@planner
def plan_activate_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(TerritoryPlan, pk=pk)
    form = ActivateForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    moved: list[int] = []

    def activate() -> None:
        moved.append(plan_activate(plan=plan, on=data["on"], actor=access.signed_in(request)))

    if saved(form, activate):
        messages.success(
            request, f"{plan} takes effect on {data['on'].isoformat()}; {moved[0]} accounts moved."
        )
        return redirect("territories:plan-detail", pk)
    return _plan_page(request, plan, activate=form)
