"""Quota planning pages: the grid with roll-ups and gaps, allocation, CSV upload.

Sales operations (admins) write; managers read their tree's grid and executives everything.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

import access
from core.csvout import csv_response
from pages.quota_forms import AllocationForm, GridShown, PeriodForm, UploadForm, grid_entries
from planning.selectors.quotas import assignee_seasonality
from planning.services.quotas import quota_allocation_apply, quota_allocation_preview
from quotas.selectors import GRID_HEADER, quota_grid, quota_grid_lines
from quotas.services import QuotaRowsInvalid, quotas_import_csv, quotas_set


def _admin_only(request: HttpRequest) -> None:
    if not access.can_manage_org(access.signed_in(request)):
        raise PermissionDenied("Quota planning is for sales operations.")


GROUPS_PER_PAGE = 10  # teams and territories on one page of the quota plan


def _grid_url(data: dict, kept: QueryDict | dict | None = None) -> str:
    params = {name: str(data[name]) for name in ("period", "start", "metric")}
    params |= {name: str(kept.get(name)) for name in ("show", "page") if kept and kept.get(name)}
    return f"{reverse('quotas:plan')}?{urlencode(params)}"


def _save_grid(request: HttpRequest, form: PeriodForm) -> list[tuple[int, str]]:
    """Save the posted cells; the rows that failed (nothing is saved then)."""
    user = access.signed_in(request)
    entries, problems = grid_entries(
        request.POST, people=access.visible_people(user),
        teams=access.visible_plan_teams(user), territories=access.visible_plan_territories(user),
    )  # fmt: skip
    data = form.cleaned_data
    try:
        quotas_set(kind=data["period"], start=data["start"], metric=data["metric"],
                   entries=entries, problems=problems)  # fmt: skip
    except QuotaRowsInvalid as error:
        return error.rows
    messages.success(request, f"{len(entries)} quotas saved.")
    return []


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quota_plan(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = access.signed_in(request)
    if not access.can_view_quota_plan(user):
        raise PermissionDenied("The quota plan is for managers, executives and sales operations.")
    form = PeriodForm(request.POST) if request.method == "POST" else PeriodForm.current(request.GET)
    kept = request.POST if request.method == "POST" else request.GET
    shown = GridShown(kept, teams=access.visible_plan_teams(user),
                      territories=access.visible_plan_territories(user))  # fmt: skip
    problems, rows = [], []
    if request.method == "POST":
        _admin_only(request)
        if form.is_valid() and not (problems := _save_grid(request, form)):
            return redirect(_grid_url(form.cleaned_data, kept))
    if form.is_valid():
        data = form.cleaned_data
        teams, territories = shown.shown()
        rows = quota_grid(
            access.visible_quotas(user), access.visible_people(user),
            teams=teams, territories=territories,
            kind=data["period"], start=data["start"], metric=data["metric"],
        )  # fmt: skip
    if form.is_valid() and request.GET.get("format") == "csv":
        data = form.cleaned_data
        name = f"quota-plan-{data['period']}-{data['start'].isoformat()}-{data['metric']}"
        return csv_response(name, GRID_HEADER, quota_grid_lines(rows))
    page = Paginator(rows, GROUPS_PER_PAGE).get_page(kept.get("page"))
    here = _grid_url(form.cleaned_data, {"show": kept.get("show")}) if form.is_valid() else ""
    context = {"form": form, "shown": shown, "rows": page.object_list, "page": page,
               "count": len(rows), "problems": problems, "can_edit": access.can_manage_org(user),
               "here": here}  # fmt: skip
    return render(request, "quotas/plan.html", context)


def _preview(request: HttpRequest, form: AllocationForm):
    arguments = form.service_arguments()
    season = form.cleaned_data["seasonality"]
    if season is None:
        season = assignee_seasonality(
            access.visible_deals(access.signed_in(request)), kind=arguments["kind"],
            start=arguments["start"], metric=arguments["metric"], **form.cleaned_data["assignee"],
        )  # fmt: skip
    return quota_allocation_preview(**arguments, seasonality=season)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quota_allocate(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    user = access.signed_in(request)
    form = AllocationForm(
        request.POST or None, initial=PeriodForm.current({}).data,
        teams=access.visible_plan_teams(user), territories=access.visible_plan_territories(user),
    )  # fmt: skip
    allocation = None
    if request.method == "POST" and form.is_valid():
        try:
            allocation = _preview(request, form)
            assert isinstance(form.data, QueryDict)  # request.POST: the form is bound
            form.data = form.data.copy()  # show the seasonality used, to edit and preview again
            form.data["seasonality"] = ", ".join(map(str, allocation.seasonality.values()))
            if "apply" in request.POST:
                quota_allocation_apply(allocation)
                messages.success(
                    request, f"Allocated {allocation.assigned} to {allocation.assignee}."
                )
                return redirect(_grid_url(form.cleaned_data))
        except ValidationError as error:
            form.add_error(None, error)
            allocation = None
    return render(request, "quotas/allocate.html", {"form": form, "allocation": allocation})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quota_upload(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = quotas_import_csv(kind=data["period"], start=data["start"],
                                      metric=data["metric"], text=data["file"])  # fmt: skip
        except QuotaRowsInvalid as error:
            problems = error.rows
        else:
            messages.success(request, f"{len(saved)} quotas saved from the file.")
            return redirect(_grid_url(data))
    return render(request, "quotas/upload.html", {"form": form, "problems": problems})
