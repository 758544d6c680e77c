"""The forecast page, its drill-downs and the call form."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

import access
from core.money import MONEY
from dashboards import forecast_page as fp
from dashboards.drill import deals_listing
from dashboards.pages import pages_for
from dashboards.views import SignedInRequest, listing_page, today
from forecasting.grid import GRID_PERIODS, HOW, cell_deals
from forecasting.services import forecast_call_make


class CallForm(forms.Form):
    commit = forms.DecimalField(**MONEY, label="Commit")
    best_case = forms.DecimalField(**MONEY, required=False, label="Best case")
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


def _allowed(request: SignedInRequest) -> None:
    if not access.can_open_forecast_page(request.user):
        raise PermissionDenied("The forecast page is for managers, executives and admins.")


def _page(request: SignedInRequest, form: CallForm | None = None, status: int = 200):
    user, day = request.user, today()
    choice = fp.page_choice(user, request.GET, day)
    context = fp.grid_context(user, choice, day)
    can_call = access.can_make_forecast_call(user, choice.node.kind, choice.node.key)
    context |= {
        "choice": choice,
        "periods": [
            (key, label, "?" + choice.query(period=key)) for key, label in GRID_PERIODS.items()
        ],
        "trail": fp.trail(choice, user),
        "how": HOW,
        "can_call": can_call,
        "form": form or CallForm(),
        "history": fp.call_history(user, choice),
        "inspection": fp.inspection(user, choice, context["run"], day),
        "accuracy": fp.accuracy_rows(user, choice, day),
        "pages": pages_for(user),
        "currency": settings.DEFAULT_CURRENCY,
    }
    return render(request, "forecast/page.html", context, status=status)


@login_required
@require_safe
def page(request: SignedInRequest) -> HttpResponse:
    _allowed(request)
    return _page(request)


@login_required
@require_POST
def call(request: SignedInRequest) -> HttpResponse:
    """A manager's call for the scope and period of the page it was made on."""
    _allowed(request)
    choice = fp.page_choice(request.user, request.GET, today())
    if not access.can_make_forecast_call(request.user, choice.node.kind, choice.node.key):
        raise PermissionDenied("A manager calls their own tree's number only.")
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            forecast_call_make(
                by=request.user,
                scope_kind=choice.node.kind,
                scope_key=choice.node.key,
                period_kind=choice.kind,
                period_start=choice.window.start,
                amount=form.cleaned_data["commit"],
                best_case=form.cleaned_data["best_case"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            for field, found in error.message_dict.items():
                name = {"amount": "commit"}.get(field, field)
                form.add_error(name if name in form.fields else None, found)
    if not form.is_valid():
        return _page(request, form, status=400)
    messages.success(request, f"Your call for {choice.label} is saved.")
    return redirect(f"{reverse('forecast:page')}?{choice.query()}#calls")


@login_required
@require_safe
def deals(request: SignedInRequest) -> HttpResponse | StreamingHttpResponse:
    """The deals behind one cell of the grid: they add up to it."""
    _allowed(request)
    user, day = request.user, today()
    choice = fp.page_choice(user, request.GET, day)
    column = request.GET.get("column") or "commit"
    title = fp.deal_column_title(choice, column)
    rows = cell_deals(
        access.visible_deals(user), choice.people, choice.node, column, choice.window, day
    )
    found = deals_listing(rows, title, day)
    back = f"{reverse('forecast:page')}?{choice.query()}"
    return listing_page(request, found, {"subtitle": HOW[column], "back": back})
