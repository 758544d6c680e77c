"""Every URL in the URLconf, for every role and for an anonymous visitor, against a table.

A URL whose name has no entry below fails the test, so a new page cannot ship unreviewed. Each
request runs in a transaction that is rolled back, so a DELETE does not change what follows.
"""

import re
from datetime import UTC, date, datetime
from fnmatch import fnmatch

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from api.urls import router
from compensation.models import (
    CompPlan,
    DealCredit,
    Dispute,
    PlanAssignment,
    PlanComponent,
    Statement,
    StatementLine,
    StatementRun,
)
from forecasting.models import ForecastCall
from forecasting.services import forecast_run
from metrics.models import SalesSpend
from org.models import AuditEntry
from pipeline.models import Activity, ImportRun, Subscription, SurveyResponse
from planning.models import AssignmentRule, IcpCriterion, TerritoryPlan
from quotas.models import Quota
from territories.models import Territory
from tests.factories import AccountFactory, DealFactory, ProductFactory

ROLES = ("anonymous", "rep", "manager", "executive", "admin")
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
DEAL_WRITERS = {"rep", "manager", "admin"}
METHODS = ("get", "post", "patch", "delete")


def rule(get: set[str], write: set[str] | None = None, **methods: set[str]) -> dict:
    """Roles that get through, per method; writes default to `write`, or to `get`."""
    write = get if write is None else write
    return {"get": get, "post": write, "patch": write, "delete": write, **methods}


def admin_rule(get: set[str], post: set[str]) -> dict:
    """The Django admin writes on POST only and answers other methods as a GET."""
    return rule(get, post, patch=get, delete=get)


# URL name (fnmatch pattern; the first match wins) -> who gets through.
EXPECTED = [
    ("health", rule(EVERYONE)),
    ("login", rule(EVERYONE)),
    ("logout", rule(set())),  # signs out and lands on the login page
    ("home", rule(SIGNED_IN)),
    ("overview", rule(SIGNED_IN)),
    # Dashboards are read-only (writes are 405); a page outside your role is a 403.
    ("dashboards:manager", rule({"manager", "executive", "admin"})),
    ("dashboards:executive", rule({"executive", "admin"})),
    ("dashboards:admin", rule({"admin"})),
    ("dashboards:*", rule(SIGNED_IN)),
    # The forecast page: managers (their tree), executives and admins; calls by managers for
    # their own tree and by admins (the company, where an executive's page starts).
    ("forecast:call", rule({"manager", "executive", "admin"}, {"manager", "admin"})),
    ("forecast:*", rule({"manager", "executive", "admin"})),
    ("deal", rule(SIGNED_IN)),  # a deal and an account in the rep's scope; writes are 405
    ("account", rule(SIGNED_IN)),
    ("schema", rule(SIGNED_IN)),
    ("api-docs", rule(SIGNED_IN)),
    ("api:api-root", rule(SIGNED_IN)),
    ("api:territory-tree", rule(SIGNED_IN, set())),
    ("api:deal-history-*", rule(SIGNED_IN, set())),
    ("api:deal-list", rule(SIGNED_IN, DEAL_WRITERS)),
    ("api:deal-detail", rule(SIGNED_IN, DEAL_WRITERS, delete={"admin"})),
    ("api:activity-*", rule(SIGNED_IN, DEAL_WRITERS)),
    # The paid rep raises a dispute (managers may raise their own); sales operations decides.
    ("api:dispute-list", rule(SIGNED_IN, set(), post={"rep", "manager"})),
    ("api:dispute-export", rule(SIGNED_IN, set())),
    ("api:dispute-resolve", rule(SIGNED_IN, {"admin"})),
    # Forecast runs and lines are read-only; managers (for their tree) and admins make calls.
    ("api:forecastcall-list", rule(SIGNED_IN, set(), post={"manager", "admin"})),
    ("api:forecast*", rule(SIGNED_IN, set())),
    ("api:territory-performance", rule(SIGNED_IN, set())),
    ("api:import-*", rule({"admin"})),  # the import log: sales operations only
    ("api:*", rule(SIGNED_IN, {"admin"})),
    ("imports:*", rule({"admin"})),
    ("compensation:statement-dispute", rule(SIGNED_IN, {"rep"})),  # the paid rep disputes
    ("compensation:statement-*", rule(SIGNED_IN)),  # read-only pages: writes are 405
    ("compensation:*", rule({"admin"})),  # the pay desk: runs, periods, deciding disputes
    # Territory planning: executives read, only admins change (form pages are admins' only).
    ("territories:territory-create", rule({"admin"})),
    ("territories:rule-[!l]*", rule({"admin"})),
    ("territories:*-apply", rule({"admin"})),
    ("territories:icp-*", rule({"admin"})),
    ("territories:*", rule({"executive", "admin"}, {"admin"})),
    # Quota planning: managers and executives read the grid; sales operations writes.
    ("quotas:plan", rule({"manager", "executive", "admin"}, {"admin"})),
    ("quotas:*", rule({"admin"})),
    ("admin:login", rule(EVERYONE)),
    # Others are bounced to the admin index; an admin is signed out to the login page.
    ("admin:logout", rule(EVERYONE, EVERYONE - {"admin"})),
    ("admin:view_on_site", rule(set())),  # no model has a public page
    ("admin:autocomplete", rule(set())),  # refused without the field it should complete
    ("admin:axes_*_add", rule(set())),  # login records are written by axes only
    ("admin:org_apitoken_change", admin_rule({"admin"}, set())),  # a key is never edited
    # Deal history and the audit log are append-only: read them, never write them.
    ("admin:*_dealchange_change", admin_rule({"admin"}, set())),
    ("admin:*_auditentry_change", admin_rule({"admin"}, set())),
    ("admin:*_dealchange_*[de]", rule(set())),
    # Reporting lines are kept by the app from every change of a person's manager or team.
    ("admin:org_reportingline_change", admin_rule({"admin"}, set())),
    ("admin:org_reportingline_*[de]", rule(set())),
    # Forecast runs and lines are written by the run only: admins read and delete them.
    ("admin:forecasting_forecast[lr]*_change", admin_rule({"admin"}, set())),
    ("admin:forecasting_forecast[lr]*_add", rule(set())),
    ("admin:*_auditentry_*[de]", rule(set())),
    # The import log is written by the imports only: admins read it.
    ("admin:*_importrun_change", admin_rule({"admin"}, set())),
    ("admin:*_importrun_*[de]", rule(set())),
    # Statements are built by the engine and disputes raised by reps: never typed in the admin.
    ("admin:compensation_statement*_change", admin_rule({"admin"}, set())),
    ("admin:compensation_statement_[ad]*", rule(set())),
    ("admin:compensation_statementline_delete", rule(set())),  # adjustments are added
    ("admin:compensation_dispute_[ad]*", rule(set())),
    ("admin:compensation_dealsplit_[ad]*", rule(set())),  # a split edits a deal's credits
    ("admin:*", rule({"admin"})),
]
API_MODELS = {
    "deal-history": "dealchange",
    "survey": "surveyresponse",
    "import": "importrun",
}
PAGE_MODELS = {"compensation": "statement", "imports": "importrun"}
# Page URL names (by prefix, the longest wins) whose id is not their namespace's model.
PAGE_PREFIX_MODELS = {
    "territories": "territory",
    "territories:rule-": "assignmentrule",
    "territories:icp-": "icpcriterion",
    "territories:plan-": "territoryplan",
    "compensation:run": "statementrun",
    "compensation:dispute": "dispute",
    "compensation:plan": "compplan",
    "deal": "deal",
    "account": "account",
}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def model_of(name: str) -> str:
    """The model a URL name is about: `admin:pipeline_deal_change`, `api:deal-detail`."""
    if name.startswith("api:"):
        basenames = [entry[2] for entry in router.registry if name[4:].startswith(entry[2] + "-")]
        basename = max(basenames, key=len, default="")
        return API_MODELS.get(basename, basename)
    prefixes = [prefix for prefix in PAGE_PREFIX_MODELS if name.startswith(prefix)]
    if prefixes:
        return PAGE_PREFIX_MODELS[max(prefixes, key=len)]
    if name.split(":")[0] in PAGE_MODELS:
        return PAGE_MODELS[name.split(":")[0]]
    parts = name.split(":")[-1].split("_")
    return parts[1] if len(parts) > 2 else ""


def concrete(name: str, route: str, ids: dict[str, int]) -> str:
    """A real URL for a route, its parameters filled with an existing object's id."""
    route = re.sub(r"[\^$]|\\Z", "", route)
    route = re.sub(r"\(\?P<app_label>[^)]*\)", "pipeline", route)
    object_id = str(ids.get(model_of(name), ids["deal"]))
    route = re.sub(r"\(\?P<\w+>[^)]*\)|<[^>]+>", object_id, route)
    return "/" + route.replace("\\", "")


def expectation(name: str, method: str) -> set[str]:
    for pattern, roles in EXPECTED:
        if fnmatch(name, pattern):
            return roles[method]
    raise AssertionError(f"URL {name!r} has no entry in the access table")


def got_through(response) -> bool:
    """Reached the page: not refused, not hidden, not sent to a login page."""
    if response.status_code in (401, 403, 404):
        return False
    if response.status_code in (301, 302):
        return "login" not in response["Location"]
    return response.status_code < 500


@pytest.fixture
def people(rep, manager, executive, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    return {"rep": rep, "manager": manager, "executive": executive, "admin": admin_user}


@pytest.fixture
def ids(people, stages) -> dict[str, int]:
    """One object of each kind in the rep's scope, so every role has something to reach."""
    rep = people["rep"]
    account = AccountFactory(owner=rep)
    deal = DealFactory(stage=stages["Prospecting"], owner=rep, account=account)
    rows = [
        account,
        deal,
        deal.changes.get(),
        ProductFactory(),
        stages["Prospecting"],
        rep,
        rep.team,
        Territory.objects.create(name="West", kind="region"),
        Activity.objects.create(rep=rep, kind="call", occurred_at="2026-03-02T10:00:00Z"),
        Subscription.objects.create(account=account, mrr=10, start=date(2026, 1, 1)),
        SurveyResponse.objects.create(
            account=account, kind="nps", score=9, responded_on=date(2026, 1, 1)
        ),
        Quota.objects.create(
            rep=rep, period="month", start=date(2026, 3, 1), metric="bookings", amount=100
        ),
        ImportRun.objects.create(
            file_name="deals.csv", sha256="0" * 64, source_path="/gone.csv", kind="deals"
        ),
        *pay_rows(rep, deal),
        SalesSpend.objects.create(month=date(2026, 3, 1), amount=1000),
        *territory_rows(),
        *forecast_rows(people),
    ]
    assert AuditEntry.objects.exists()
    found = {type(row)._meta.model_name: row.pk for row in rows}
    for model in apps.get_models():
        first = model.objects.order_by("pk").first()
        if first is not None:
            found.setdefault(model._meta.model_name, first.pk)
    return found


def territory_rows() -> list:
    """An assignment rule, an ideal-customer criterion and a draft territory plan."""
    north = Territory.objects.create(name="North", kind="territory")
    return [
        AssignmentRule.objects.create(name="France", priority=1, territory=north),
        IcpCriterion.objects.create(attribute="employees", minimum=100, weight=1),
        TerritoryPlan.objects.create(name="Next year"),
    ]


def pay_rows(rep, deal) -> list:
    """A plan the rep is on, a credit split, and a statement with a line and a dispute."""
    plan = CompPlan.objects.create(name="Standard", start=date(2026, 1, 1))
    statement = Statement.objects.create(
        rep=rep,
        plan=plan,
        period="month",
        start=date(2026, 3, 1),
        end=date(2026, 4, 1),
        currency="USD",
        attained=0,
        total=0,
        built_at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    line = StatementLine.objects.create(
        statement=statement, position=1, kind="commission", exact=0, amount=0, explanation="0"
    )
    dispute = Dispute.objects.create(
        statement=statement, line=line, kind="wrong_amount", expected=1, actual=0, raised_by=rep
    )
    return [
        plan,
        PlanComponent.objects.create(
            plan=plan, name="Commission", kind="commission", base="bookings"
        ),
        PlanAssignment.objects.create(rep=rep, plan=plan, start=date(2026, 1, 1)),
        DealCredit.objects.create(deal=deal, rep=rep, percent=100),
        statement,
        line,
        dispute,
        StatementRun.objects.create(period="month", start=date(2026, 3, 1), action="build"),
    ]


@pytest.mark.django_db
def test_every_url_answers_each_role_as_the_table_says(client, people, ids):
    routes = sorted(set(walk(get_resolver().url_patterns)))
    assert len(routes) > 80
    wrong = []
    for role in ROLES:
        for name, route in routes:
            url = concrete(name, route, ids)
            for method in METHODS:
                response = request_and_roll_back(client, people.get(role), method, url)
                if response.status_code == 405:  # the method is not offered: nothing to see
                    continue
                if got_through(response) != (role in expectation(name, method)):
                    wrong.append(f"{role} {method.upper()} {url} ({name}): {response.status_code}")
    assert wrong == [], "\n".join(wrong)


def request_and_roll_back(client, user, method: str, url: str):
    client.logout()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        response = getattr(client, method)(url, content_type="application/json")
        transaction.set_rollback(True)
    return response


def forecast_rows(people) -> list:
    """A run with the rep's own line, and a call an admin made on the rep's number."""
    rep = people["rep"]
    run = forecast_run(as_of=date(2026, 3, 15))
    call = ForecastCall.objects.create(
        scope_kind="rep",
        scope_key=str(rep.pk),
        period_kind="month",
        period_start=date(2026, 3, 1),
        amount=100,
        currency="USD",
        comment="Expected to close",
        made_by=people["admin"],
        made_at=datetime(2026, 3, 10, tzinfo=UTC),
    )
    return [
        run,
        run.lines.get(
            scope_kind="rep",
            scope_key=str(rep.pk),
            period_start=date(2026, 3, 1),
            period_kind="month",
        ),
        call,
    ]
