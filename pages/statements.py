"""Statements as people read them: a list, a printable page, a CSV, and disputes raised on a
line, all from the scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import access
from compensation.models import Statement
from compensation.review import statement_view
from compensation.selectors import CSV_HEADER, statement_get, statement_list, statement_rows
from compensation.services import deal_payout_preview, dispute_raise
from compensation.services.disputes import dispute_actual
from compensation.services.simulations import commit_deals, commit_payout_preview
from core.csvout import csv_response
from org.models import User
from pages.pay_forms import DisputeRaiseForm


def _statement(request: HttpRequest, pk: int) -> Statement:
    statement = statement_get(access.visible_statements(access.signed_in(request)), pk)
    if statement is None:
        raise Http404("No such statement.")
    return statement


@login_required
@require_safe
def statement_index(request: HttpRequest) -> HttpResponse:
    user = access.signed_in(request)
    statements = statement_list(access.visible_statements(user))
    page = Paginator(statements, 50).get_page(request.GET.get("page"))
    context = {"page": page, "pay_desk": access.can_manage_comp_plans(user)}
    return render(request, "compensation/statement_list.html", context)


WHAT_IF_DEALS = 8


def _what_if(user: User, statement: Statement) -> dict | None:
    """For the period under way: what the rep's biggest open deals and their commit would pay."""
    today = timezone.localdate()
    if statement.is_closed or not statement.start <= today < statement.end:
        return None
    rep = statement.rep
    deals = access.visible_deals(user).filter(owner=rep, status="open").select_related("product")
    biggest = deals.filter(amount__gt=0).order_by("-amount", "pk")[:WHAT_IF_DEALS]
    return {
        "commit": commit_payout_preview(rep, commit_deals(deals).select_related("product")),
        "deals": [(deal, deal_payout_preview(deal, rep)) for deal in biggest],
    }


def _render(request: HttpRequest, statement: Statement, form=None, line_id=None, status=200):
    user = access.signed_in(request)
    context = {
        "what_if": _what_if(user, statement),
        "view": statement_view(statement, access.visible_statements(user)),
        "can_dispute": statement.is_closed and access.can_raise_dispute(user, statement),
        "form": form or DisputeRaiseForm(),
        "error_line": line_id,
    }
    return render(request, "compensation/statement_detail.html", context, status=status)


@login_required
@require_safe
def statement_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _statement(request, pk))


@login_required
@require_POST
def statement_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    if not access.can_raise_dispute(access.signed_in(request), statement):
        raise PermissionDenied("Only the rep paid by a statement disputes it.")
    form = DisputeRaiseForm(request.POST)
    line_id = request.POST.get("line") or None
    if form.is_valid():
        data = form.cleaned_data
        line = statement.lines.filter(pk=data["line"]).first() if data["line"] else None
        if data["line"] and line is None:
            raise Http404("No such line on this statement.")
        try:
            dispute = dispute_raise(
                statement=statement,
                by=access.signed_in(request),
                kind=data["kind"],
                line=line,
                expected=data["expected"],
                actual=dispute_actual(data["kind"], line),
                description=data["description"],
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, f"Dispute #{dispute.pk} raised; sales operations decides.")
            return redirect("compensation:statement-detail", pk=statement.pk)
    return _render(request, statement, form, line_id, status=400)


@login_required
@require_safe
def statement_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    statement = _statement(request, pk)
    name = f"statement-{statement.rep.username}-{statement.period}-{statement.start.isoformat()}"
    return csv_response(name, CSV_HEADER, statement_rows(statement))
