"""The deal and account pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dashboards.records import account_record, deal_record
from dashboards.views import SignedInRequest, today


@login_required
@require_safe
def deal(request: SignedInRequest, pk: int) -> HttpResponse:
    record = deal_record(request.user, pk, today())
    context = {"record": record, "back": request.META.get("HTTP_REFERER", "")}
    return render(request, "records/deal.html", context)


@login_required
@require_safe
def account(request: SignedInRequest, pk: int) -> HttpResponse:
    record = account_record(request.user, pk, today())
    context = {"record": record, "back": request.META.get("HTTP_REFERER", "")}
    return render(request, "records/account.html", context)
