"""Dashboard pages and the drill-downs behind their figures, all from the user's scope."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

import access
from core.csvout import csv_response
from core.query import parse_id
from dashboards.cache import cached
from dashboards.common import account_url, deal_url, fmt, person_name
from dashboards.data_health import admin_dashboard
from dashboards.drill import (
    DEFAULT_STUCK_DAYS,
    Listing,
    listing,
    local_time,
    sorted_rows,
    total_of,
)
from dashboards.executive import executive_dashboard
from dashboards.filters import Filters, filters_from_query
from dashboards.manager import manager_dashboard
from dashboards.pages import pages_for
from dashboards.rep import rep_dashboard
from metrics.definitions import CURRENCY, FAMILIES, KPIS, NOT_YET
from org.models import Role, User
from pipeline.models import ActivityKind, SegmentTier

DEFAULT_PERIOD = {"rep": "month", "manager": "quarter", "executive": "quarter", "admin": "month"}
PAGE_SIZE = 50


class SignedInRequest(HttpRequest):
    """A request behind login_required: its user is signed in, never anonymous."""

    user: User


def today() -> date:
    return timezone.localdate()


def _filters(request: SignedInRequest, page: str) -> Filters:
    return filters_from_query(request.user, request.GET, today=today(), period=DEFAULT_PERIOD[page])


def _allowed(request: SignedInRequest, page: str) -> None:
    if not access.can_open_dashboard(request.user, page):
        raise PermissionDenied("This dashboard is not part of your role.")


def scope_options(user, filters: Filters, page: str) -> dict:
    """What the scope bar offers: only what the user may see."""
    wide = user.role != Role.REP and page != "admin"
    reps = access.visible_people(user).filter(role=Role.REP).order_by("last_name", "first_name")
    return {
        "teams": list(
            access.teams_of_visible_people(user).order_by("name").values_list("id", "name")
        )
        if wide
        else [],
        "territories": list(
            access.visible_territories(user).order_by("name").values_list("id", "name")
        )
        if wide
        else [],
        "reps": [
            (pk, person_name(first, last, login))
            for pk, first, last, login in reps.values_list(
                "id", "first_name", "last_name", "username"
            )
        ]
        if wide
        else [],
        "products": list(access.visible_products(user).order_by("name").values_list("id", "name")),
        "segments": SegmentTier.choices,
        "periods": [("month", "Month"), ("quarter", "Quarter"), ("year", "Year")],
    }


def _render(request: SignedInRequest, page: str, build) -> HttpResponse:
    _allowed(request, page)
    filters = _filters(request, page)
    day = today()
    board = cached(
        page, request.user, request.GET.urlencode(), day, lambda: build(request.user, filters, day)
    )
    context = {
        "board": board,
        "filters": filters,
        "options": {} if page == "admin" else scope_options(request.user, filters, page),
        "page": page,
        "pages": pages_for(request.user),
        "earlier": "?" + filters.shifted(-1).query(),
        "later": "?" + filters.shifted(1).query(),
        "this_period": "?" + filters.query(on=None),
        "is_admin_page": page == "admin",
    }
    return render(request, "dashboards/page.html", context)


@login_required
@require_safe
def index(request: SignedInRequest) -> HttpResponse:
    """The signed-in user's own dashboard."""
    return redirect(reverse(f"dashboards:{access.dashboard_home(request.user)}"))


@login_required
@require_safe
def rep(request: SignedInRequest) -> HttpResponse:
    return _render(request, "rep", rep_dashboard)


@login_required
@require_safe
def manager(request: SignedInRequest) -> HttpResponse:
    days = parse_id(request.GET.get("days"), "days") or DEFAULT_STUCK_DAYS
    return _render(request, "manager", lambda u, f, d: manager_dashboard(u, f, d, days))


@login_required
@require_safe
def executive(request: SignedInRequest) -> HttpResponse:
    return _render(request, "executive", executive_dashboard)


@login_required
@require_safe
def data_health(request: SignedInRequest) -> HttpResponse:
    return _render(request, "admin", admin_dashboard)


def cell_value(row: dict, key: str):
    if key == "owner":
        if not (row.get("owner_username") or row.get("owner_last") or row.get("owner_first")):
            return ""
        return person_name(
            row["owner_first"] or "", row["owner_last"] or "", row["owner_username"] or ""
        )
    if key == "kind_label":
        return ActivityKind(row["kind"]).label
    if key == "overdue":  # open and past its expected close date
        return "overdue" if row["overdue"] else ""
    value = row.get(key)
    if key in ("occurred_at", "last_move"):
        return local_time(value)
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def shown(found: Listing, row: dict) -> list[dict]:
    cells = []
    for column in found.columns:
        value = cell_value(row, column.key)
        if column.unit == CURRENCY and value != "":
            text = fmt(value, CURRENCY)
        elif column.unit and value != "":
            text = f"{value:,}"
        else:
            text = str(value)
        tone = "bad" if column.key == "overdue" and value else ""
        url = _record_url(found.kind, column.link, row) if text else None
        cells.append(
            {"text": text, "num": bool(column.unit), "raw": value, "tone": tone, "url": url}
        )
    return cells


def _record_url(kind: str, link: str, row: dict) -> str | None:
    """The page of the deal or account a cell names: the row itself when the list is of them."""
    if not link:
        return None
    pk = row["id"] if kind == f"{link}s" else row.get(f"{link}_id")
    if pk is None:
        return None
    return deal_url(pk) if link == "deal" else account_url(pk)


@login_required
@require_safe
def drill(request: SignedInRequest, kind: str) -> HttpResponse | StreamingHttpResponse:
    """The rows behind a figure: sortable, paginated, and as CSV with `?format=csv`."""
    filters = filters_from_query(request.user, request.GET, today=today(), period="month")
    found = listing(request.user, kind, filters, request.GET, today())
    rows, sort = sorted_rows(found, request.GET.get("sort"))
    if request.GET.get("format") == "csv":
        return _csv(found, rows)
    count, total = total_of(found)
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    headers = []
    for column in found.columns:
        link = None
        if column.sort:
            params["sort"] = column.key if sort != column.key else f"-{column.key}"
            link = "?" + params.urlencode()
        direction = (
            "ascending"
            if sort == column.key
            else ("descending" if sort == f"-{column.key}" else "none")
        )
        headers.append(
            {"label": column.label, "url": link, "num": bool(column.unit), "direction": direction}
        )
    params["sort"] = sort
    base = "?" + params.urlencode()
    csv_params = params.copy()
    csv_params["format"] = "csv"
    context = {
        "found": found,
        "headers": headers,
        "rows": [shown(found, row) for row in page.object_list],
        "page": page,
        "base": base,
        "count": count,
        "total": None if total is None else fmt(total, CURRENCY),
        "filters": filters,
        "csv_url": "?" + csv_params.urlencode(),
        "pages": pages_for(request.user),
        "back": request.META.get("HTTP_REFERER", ""),
    }
    return render(request, "dashboards/drill.html", context)


def _csv(found: Listing, rows) -> StreamingHttpResponse:
    keys = [column.key for column in found.columns]
    lines = (
        [row["id"], *(cell_value(row, key) for key in keys)]
        for row in rows.iterator(chunk_size=2000)
    )
    header = ["id", *(column.label for column in found.columns)]
    return csv_response(f"pacer-{found.kind}", header, lines)


@login_required
@require_safe
def kpi_dictionary(request: HttpRequest) -> HttpResponse:
    """Every KPI, from the registry docs/metrics.md is generated from: what each figure means."""
    families = [
        (title, [kpi for kpi in KPIS.values() if kpi.family == family])
        for family, title in FAMILIES.items()
    ]
    return render(request, "dashboards/kpis.html", {"families": families, "not_yet": NOT_YET})
