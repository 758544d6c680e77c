"""The plan designer (sales operations): plans listed, created and changed from one page."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

import access
from compensation.models import CompPlan
from compensation.services.designer import (
    AssignmentDraft,
    ComponentDraft,
    PlanDraft,
    component_problems,
    plan_design_save,
)
from org.models import Role, User
from pages.plan_forms import (
    AssignmentFormSet,
    BaseComponentFormSet,
    ComponentForm,
    ComponentFormSet,
    PlanForm,
)
from pages.statement_runs import pay_admin

PLAN_INITIAL = (
    *("name", "start", "end", "period", "quota_metric", "currency", "margin_percent"),
    *("team_override", "cap", "draw", "draw_recoverable", "clawback_days"),
)
COMPONENT_INITIAL = (
    *("name", "kind", "base", "cap", "spif_product", "spif_from", "spif_to"),
    *("spif_min_amount", "spif_fixed", "spif_percent"),
)
NEW_COMPONENT = {
    "name": "Commission",
    "kind": "commission",
    "base": "bookings",
    "tiers": [{"floor": 0}],
}


def _admin(request: HttpRequest) -> User:
    return pay_admin(request, "designs plans")


@login_required
@require_safe
def plan_index(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    plans = access.visible_comp_plans(user).prefetch_related("assignments", "components")
    return render(request, "compensation/plans.html", {"plans": plans})


@dataclass
class Designer:
    """The designer's three parts, bound to a POST or filled from a plan."""

    plan: PlanForm
    components: BaseComponentFormSet
    assignments: BaseFormSet

    @classmethod
    def bound(cls, data, reps: QuerySet[User]) -> "Designer":
        return cls(
            PlanForm(data),
            ComponentFormSet(data, prefix="components"),
            AssignmentFormSet(data, prefix="assignments", form_kwargs={"reps": reps}),
        )

    @classmethod
    def filled(cls, plan: CompPlan | None, reps: QuerySet[User]) -> "Designer":
        plan_initial, components, assignments = _initial(plan)
        return cls(
            PlanForm(initial=plan_initial),
            ComponentFormSet(initial=components, prefix="components"),
            AssignmentFormSet(
                initial=assignments, prefix="assignments", form_kwargs={"reps": reps}
            ),
        )

    def is_valid(self) -> bool:
        return all([self.plan.is_valid(), self.components.is_valid(), self.assignments.is_valid()])

    def draft(self) -> PlanDraft:
        data = {k: v for k, v in self.plan.cleaned_data.items() if k != "effective"}
        components = [_component_draft(form) for form in self.components.live_forms()]
        start = data["start"]
        assignments = [
            AssignmentDraft(rep=row["rep"], start=row["start"] or start, end=row["end"])
            for row in self.assignments.cleaned_data
            if row and not row.get("DELETE")
        ]
        return PlanDraft(**data, components=components, assignments=assignments)

    def check_components(self) -> None:
        """Check whole the components whose fields read, so one pass names every problem."""
        for form in self.components.live_forms():
            if form.is_valid() and form.nested_valid():
                problems = component_problems(_component_draft(form))
                if problems:
                    form.add_error(None, problems)

    def refuse(self, error: ValidationError) -> None:
        """Put the service's problems beside the component, assignment or field they are on."""
        live = self.components.live_forms()
        rows = [
            f
            for f in self.assignments.forms
            if f.has_changed() and f not in self.assignments.deleted_forms
        ]
        for key, problems in error.message_dict.items():
            kind, _, number = key.partition("-")
            if kind == "component" and number.isdigit():
                live[int(number) - 1].add_error(None, problems)
            elif kind == "assignment" and number.isdigit():
                rows[int(number) - 1].add_error(None, problems)
            else:
                self.plan.add_error(key if key in self.plan.fields else None, problems)

    def problems(self) -> list[str]:
        """Every problem on the page, each saying where it is."""
        found = [f"Plan{_where(self.plan, name)}{e}" for name, e in _errors(self.plan)]
        found += [f"Components: {e}" for e in self.components.non_form_errors()]
        for number, form in enumerate(self.components.forms, 1):
            title = f"Component {number} ({form['name'].value() or 'unnamed'})"
            found += [f"{title}{_where(form, name)}{e}" for name, e in _errors(form)]
            for label, nested in (("tier row", form.tiers), ("threshold", form.thresholds)):
                for row, tier in enumerate(nested.forms, 1):
                    found += [
                        f"{title}, {label} {row}{_where(tier, name)}{e}"
                        for name, e in _errors(tier)
                    ]
        for number, form in enumerate(self.assignments.forms, 1):
            found += [f"Assignment {number}{_where(form, name)}{e}" for name, e in _errors(form)]
        return found


def _errors(form) -> list[tuple[str, str]]:
    return [(name, e) for name, errors in form.errors.items() for e in errors]


def _where(form, name: str) -> str:
    return f", {form[name].label}: " if name in form.fields else ": "


def _component_draft(form: ComponentForm) -> ComponentDraft:
    data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
    return ComponentDraft(**data, tiers=form.rows("tiers"), thresholds=form.rows("thresholds"))


def _plain(number: Decimal) -> str:
    """5.0000 as 5, 12.5000 as 12.5: a rate table reads as it was typed."""
    return f"{number.normalize():f}"


def _initial(plan: CompPlan | None) -> tuple[dict, list[dict], list[dict]]:
    if plan is None:
        return {"period": "month", "currency": CompPlan().currency}, [NEW_COMPONENT], []
    initial = {name: getattr(plan, name) for name in PLAN_INITIAL}
    components = []
    for component in plan.components.prefetch_related("tiers", "thresholds"):
        row = {name: getattr(component, name) for name in COMPONENT_INITIAL}
        row["tiers"] = [
            {"floor": _plain(t.floor), "rate": _plain(t.rate)} for t in component.tiers.all()
        ]
        row["thresholds"] = [
            {"attainment": _plain(t.attainment), "amount": t.amount}
            for t in component.thresholds.all()
        ]
        components.append(row)
    assignments = [dict(row) for row in plan.assignments.values("rep", "start", "end")]
    return initial, components, assignments


def _design(request: HttpRequest, plan: CompPlan | None) -> HttpResponse:
    user = _admin(request)
    reps = access.visible_people(user).filter(role__in=[Role.REP, Role.MANAGER], is_active=True)
    status = 200
    if request.method == "POST":
        designer = Designer.bound(request.POST, reps)
        if designer.is_valid():
            effective = designer.plan.cleaned_data["effective"]
            try:
                saved = plan_design_save(draft=designer.draft(), plan=plan, effective=effective)
            except ValidationError as error:
                designer.refuse(error)
            else:
                messages.success(request, f"Plan {saved} saved.")
                return redirect("compensation:plan-edit", pk=saved.pk)
        else:
            designer.check_components()
        status = 400
    else:
        designer = Designer.filled(plan, reps)
    in_use = plan is not None and plan.statements.exists()
    context = {"d": designer, "plan": plan, "in_use": in_use, "problems": designer.problems()}
    return render(request, "compensation/plan_design.html", context, status=status)


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    return _design(request, None)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plans = access.visible_comp_plans(_admin(request))
    return _design(request, get_object_or_404(plans, pk=pk))
