"""Territory pages: the tree, a territory with its reps, and the assignment rules.

Executives and admins read every page; only admins post (spm/access.py decides both).
"""

from collections.abc import Callable
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

import access
from org.models import User
from pages.territory_forms import (
    AssignmentEndForm,
    CloseForm,
    ReassignDateForm,
    RepAssignForm,
    RuleForm,
    TerritoryForm,
)
from pipeline.selectors import account_moves
from planning.models import AssignmentRule
from planning.selectors.plans import move_flows
from planning.selectors.rules import assignment_preview, rules_in_force
from planning.services.rules import assignment_apply
from territories.models import Territory
from territories.selectors import territory_list
from territories.services import assignment_end, rep_assign, territory_close, territory_save


def _guarded(may_read: Callable, view: Callable) -> Callable:
    """GET for whom `may_read` lets in; POST for sales operations only."""

    @login_required
    @require_http_methods(["GET", "HEAD", "POST"])
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not may_read(access.signed_in(request)):
            raise PermissionDenied
        if request.method == "POST" and not access.can_manage_territories(
            access.signed_in(request)
        ):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


def planner(view: Callable) -> Callable:
    """Executives and admins read; only admins post."""
    return _guarded(access.can_view_territory_plans, view)


def admin_only(view: Callable) -> Callable:
    """Pages that only exist to change something (forms to fill in)."""
    return _guarded(access.can_manage_territories, view)


def saved(form, write: Callable[[], object]) -> bool:
    """Run a service for a valid form; its ValidationError lands on the form."""
    if not form.is_valid():
        return False
    try:
        write()
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _territory(request: HttpRequest, pk: int) -> Territory:
    return get_object_or_404(access.visible_territories(access.signed_in(request)), pk=pk)


def render_page(request: HttpRequest, name: str, context: dict, status: int = 200) -> HttpResponse:
    context["can_manage"] = access.can_manage_territories(access.signed_in(request))
    return render(request, f"territories/{name}.html", context, status=status)


@require_safe
@planner
def territory_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = territory_list(access.visible_territories(access.signed_in(request)), today)
    return render_page(request, "index", {"rows": rows, "today": today})


@admin_only
def territory_create(request: HttpRequest) -> HttpResponse:
    form = TerritoryForm(request.POST or None)
    if request.method == "POST" and saved(form, lambda: territory_save(territory=form.instance)):
        messages.success(request, f"{form.instance} created.")
        return redirect("territories:territory-detail", form.instance.pk)
    status = 400 if form.errors else 200
    return render_page(request, "form", {"form": form, "title": "New territory"}, status)


@planner
def territory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    form = TerritoryForm(request.POST or None, instance=territory)
    if request.method == "POST" and saved(form, lambda: territory_save(territory=form.instance)):
        messages.success(request, f"{territory} saved.")
        return redirect("territories:territory-detail", pk)
    territory.refresh_from_db()  # a refused edit shows what is stored
    return _territory_page(request, territory, edit=form)


def _territory_page(request: HttpRequest, territory: Territory, **forms) -> HttpResponse:
    context = {
        "territory": territory,
        "assignments": territory.assignments.select_related("rep").order_by("start"),
        "children": territory.children.order_by("name"),
        "accounts": territory.accounts.count(),
        "moves": account_moves(territory),
        "edit": TerritoryForm(instance=territory),
        "close": CloseForm(initial={"closed_on": timezone.localdate()}),
        "add_rep": RepAssignForm(initial={"start": timezone.localdate()}),
        "end_rep": AssignmentEndForm(territory=territory),
        **forms,
    }
    bound = [form for form in forms.values() if form.is_bound and form.errors]
    return render_page(request, "detail", context, 400 if bound else 200)


@require_POST
@planner
def territory_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    form = CloseForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    if saved(form, lambda: territory_close(territory=territory, on=data["closed_on"])):
        messages.success(request, f"{territory} closes on {data['closed_on'].isoformat()}.")
        return redirect("territories:territory-detail", pk)
    return _territory_page(request, territory, close=form)


@require_POST
@planner
def rep_add(request: HttpRequest, pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    form = RepAssignForm(request.POST)
    if saved(form, lambda: rep_assign(territory=territory, **form.cleaned_data)):
        messages.success(request, f"{form.cleaned_data['rep']} now works {territory}.")
        return redirect("territories:territory-detail", pk)
    return _territory_page(request, territory, add_rep=form)


@require_POST
@planner
def rep_end(request: HttpRequest, pk: int) -> HttpResponse:
    territory = _territory(request, pk)
    form = AssignmentEndForm(request.POST, territory=territory)
    data = form.cleaned_data if form.is_valid() else {}
    if saved(form, lambda: assignment_end(assignment=data["assignment"], on=data["end"])):
        messages.success(request, "Assignment ended.")
        return redirect("territories:territory-detail", pk)
    return _territory_page(request, territory, end_rep=form)


@require_safe
@planner
def rule_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rules, skipped = rules_in_force(today)
    inactive = AssignmentRule.objects.filter(active=False).select_related("territory")
    user = access.signed_in(request)
    moves = assignment_preview(access.visible_accounts(user), today)
    context = {
        "rules": rules,
        "skipped": skipped,
        "inactive": inactive,
        "moves": named_moves(moves),
        "flows": (flows := move_flows(moves, access.visible_deals(user), today)),
        "pipeline_moved": sum((flow.pipeline_in for flow in flows), Decimal(0)),
        "unworked": [flow.territory for flow in flows if flow.unworked],
        "apply": ReassignDateForm(initial={"on": today}),
    }
    return render_page(request, "rules", context)


def named_moves(moves: list) -> list[dict]:
    """Moves with territory and owner names for showing."""
    territories = dict(Territory.objects.values_list("pk", "name"))
    owners = {pk for move in moves for pk in (move.owner_from, move.owner_to)}
    people = {user.pk: str(user) for user in User.objects.filter(pk__in=owners)}
    return [
        {
            "move": move,
            "from": territories.get(move.territory_from, "—"),
            "to": territories.get(move.territory_to, "—"),
            "owner_from": people.get(move.owner_from, "—"),
            "owner_to": people.get(move.owner_to, "—"),
        }
        for move in moves
    ]


@admin_only
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Rule {form.instance} saved.")
        return redirect("territories:rule-list")
    title = f"Rule {rule}" if rule else "New assignment rule"
    return render_page(request, "form", {"form": form, "title": title}, 400 if form.errors else 200)


@require_POST
@admin_only
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(AssignmentRule, pk=pk).delete()
    messages.success(request, "Rule deleted.")
    return redirect("territories:rule-list")


@require_POST
@admin_only
def rule_apply(request: HttpRequest) -> HttpResponse:
    form = ReassignDateForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else None
    moved: list = []
    if saved(form, lambda: moved.extend(_apply_rules(access.signed_in(request), on))):
        assert on is not None  # saved: the form was valid
        messages.success(request, f"{len(moved)} accounts moved from {on.isoformat()}.")
        return redirect("territories:rule-list")
    return render_page(request, "form", {"form": form, "title": "Apply the rules"}, 400)


def _apply_rules(user: User, on) -> list:
    return assignment_apply(accounts=access.visible_accounts(user), on=on, actor=user)
