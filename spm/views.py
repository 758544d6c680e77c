from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

import access
from core.formatting import money
from org.models import User
from pipeline.selectors import deal_totals


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker compose: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each user lands on their role's dashboard."""
    assert isinstance(request.user, User)  # login_required: a signed-in person
    return redirect(reverse(f"dashboards:{access.dashboard_home(request.user)}"))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """All-time totals of everything the user may see, and where to go from here."""
    totals = deal_totals(access.visible_deals(request.user))
    summary = {
        "deals": totals["deals"],
        "won": money(totals["won"]),
        "open": money(totals["open"]),
        "accounts": access.visible_accounts(request.user).count(),
    }
    context = {"summary": summary, "can_admin": access.can_use_admin_site(request.user)}
    return render(request, "home.html", context)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 400 that says which value was wrong (Django's own page says nothing)."""
    return render(request, "400.html", {"exception": str(exception)}, status=400)
