from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

import access
from core.formatting import money
from org.models import User
from pipeline.selectors import deal_totals
from spm.health import health_report


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker compose: 200 when the database, the cache and the broker
    answer, else 503 naming what is down."""
    checks = health_report()
    down = [name for name, state in checks.items() if state != "ok"]
    status = "ok" if not down else f"down: {', '.join(down)}"
    return JsonResponse({"status": status, "checks": checks}, status=503 if down else 200)


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
