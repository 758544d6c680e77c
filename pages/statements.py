"""Statements as people read them: a list, a printable page and a CSV, all from the scope."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

import access
from compensation.models import Statement
from compensation.selectors import CSV_HEADER, statement_get, statement_list, statement_rows
from core.csvout import csv_response


def _statement(request: HttpRequest, pk: int) -> Statement:
    statement = statement_get(access.visible_statements(access.signed_in(request)), pk)
    if statement is None:
        raise Http404("No such statement.")
    return statement


@login_required
@require_safe
def statement_index(request: HttpRequest) -> HttpResponse:
    statements = statement_list(access.visible_statements(access.signed_in(request)))
    page = Paginator(statements, 50).get_page(request.GET.get("page"))
    return render(request, "compensation/statement_list.html", {"page": page})


@login_required
@require_safe
def statement_page(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    return render(request, "compensation/statement_detail.html", {"statement": statement})


@login_required
@require_safe
def statement_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    statement = _statement(request, pk)
    name = f"statement-{statement.rep.username}-{statement.period}-{statement.start.isoformat()}"
    return csv_response(name, CSV_HEADER, statement_rows(statement))
