"""Who sees what, and who may do what: the only place that turns a user into data.

Views, API viewsets, exports, dashboards, the metrics service and Celery-built reports start
from these functions; nothing else filters by role. Scopes are computed from the database on
every request (once per request), so a changed role or manager takes effect at the next one.

- rep: their own deals, accounts, activities and quotas (plus their team's quota).
- manager: everything of everyone in their reporting tree, at any depth.
- executive: all sales data, read-only.
- admin (sales operations): everything, and manages users, territories, quotas and plans.
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from compensation.models import (
    CompPlan,
    DealCredit,
    Dispute,
    PlanAssignment,
    PlanComponent,
    Statement,
    StatementLine,
)
from forecasting.models import ForecastCall, ForecastLine, ForecastRun, RunStatus, ScopeKind
from metrics.scope import Scope
from org.models import Role, Team, User
from org.selectors import reporting_tree_ids
from pipeline.crediting import credited_to, credited_to_tree
from pipeline.models import (
    Account,
    Activity,
    Deal,
    DealChange,
    ImportRun,
    Product,
    Stage,
    Subscription,
    SurveyResponse,
)
from quotas.models import Quota
from territories.models import Territory

SEES_ALL = {Role.EXECUTIVE, Role.ADMIN}

# Who a request is about: a signed-in person or, before signing in, Django's anonymous user.
Viewer = User | AnonymousUser


# Within one request the people a manager sees are read once (`RequestScopeMiddleware`);
# outside requests (commands, tasks) every call reads them afresh.
_request_trees: ContextVar[dict[int, set[int]] | None] = ContextVar("request_trees", default=None)


def signed_in(request: HttpRequest) -> User:
    """The user of a request to a view or API endpoint that requires sign-in. (An anonymous user
    reaching the access functions, as schema generation does, sees nothing.)"""
    return cast(User, request.user)


def _people_ids(user: Viewer) -> set[int] | None:
    """Ids of the people whose data `user` sees; None means everyone."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.role in SEES_ALL:
        return None
    if user.role != Role.MANAGER:
        return {user.pk}
    trees = _request_trees.get()
    if trees is None:
        return reporting_tree_ids([user.pk])
    if user.pk not in trees:
        trees[user.pk] = reporting_tree_ids([user.pk])
    return set(trees[user.pk])


class RequestScopeMiddleware:
    """Reads each manager's reporting tree at most once per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_trees.set({})
        try:
            return self.get_response(request)
        finally:
            _request_trees.reset(token)


def visible_people(user: Viewer) -> QuerySet[User]:
    """The people `user` may list: themselves, their reporting tree, or everyone."""
    ids = _people_ids(user)
    people = User.objects.all()
    return people if ids is None else people.filter(pk__in=ids)


def visible_deals(user: Viewer) -> QuerySet[Deal]:
    ids = _people_ids(user)
    if ids is None:
        return Deal.objects.all()
    return Deal.objects.filter(_credited(user, ids))


def _credited(user: Viewer, ids: set[int]) -> Q:
    """Deals credited to the user's people: a manager's tree as it stood when each deal closed."""
    if isinstance(user, User) and user.role == Role.MANAGER:
        return credited_to_tree(user.pk, ids)
    return credited_to(ids)


def visible_accounts(user: Viewer) -> QuerySet[Account]:
    """Accounts the user's people own, or on which they own a deal."""
    ids = _people_ids(user)
    if ids is None:
        return Account.objects.all()
    dealt = Deal.objects.filter(_credited(user, ids), account__isnull=False).values("account_id")
    return Account.objects.filter(Q(owner_id__in=ids) | Q(pk__in=dealt))


def visible_activities(user: Viewer) -> QuerySet[Activity]:
    ids = _people_ids(user)
    return Activity.objects.all() if ids is None else Activity.objects.filter(rep_id__in=ids)


def visible_subscriptions(user: Viewer) -> QuerySet[Subscription]:
    return Subscription.objects.filter(account__in=visible_accounts(user))


def visible_survey_responses(user: Viewer) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(account__in=visible_accounts(user))


def visible_quotas(user: Viewer) -> QuerySet[Quota]:
    """Quotas of the user's people and of the teams they belong to or lead."""
    ids = _people_ids(user)
    if ids is None:
        return Quota.objects.all()
    people = User.objects.filter(pk__in=ids)
    teams = Q(team__members__in=people) | Q(team__manager__in=people)
    return Quota.objects.filter(Q(rep_id__in=ids) | teams).distinct()


def visible_deal_changes(user: Viewer) -> QuerySet[DealChange]:
    return DealChange.objects.filter(deal__in=visible_deals(user))


def _shared(queryset: QuerySet, user: Viewer) -> QuerySet:
    """Reference data every signed-in person may read."""
    return queryset if user.is_authenticated and user.is_active else queryset.none()


def visible_territories(user: Viewer) -> QuerySet[Territory]:
    return _shared(Territory.objects.all(), user)


def visible_products(user: Viewer) -> QuerySet[Product]:
    return _shared(Product.objects.all(), user)


def visible_stages(user: Viewer) -> QuerySet[Stage]:
    return _shared(Stage.objects.all(), user)


def visible_teams(user: Viewer) -> QuerySet[Team]:
    return _shared(Team.objects.all(), user)


def teams_of_visible_people(user: Viewer) -> QuerySet[Team]:
    """Teams led by, or holding, someone the user sees: a team filter never leaves the scope."""
    people = visible_people(user)
    return visible_teams(user).filter(Q(manager__in=people) | Q(members__in=people)).distinct()


def _is_admin(user: Viewer) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.ADMIN


def can_use_admin_site(user: Viewer) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or _is_admin(user))


def can_edit_deal(user: Viewer, deal: Deal | None = None) -> bool:
    """Admins edit any deal; reps and managers the deals they can see (without `deal`: may they
    write deals at all); executives read only."""
    if _is_admin(user):
        return True
    if not user.is_authenticated or user.role not in {Role.REP, Role.MANAGER}:
        return False
    return deal is None or visible_deals(user).filter(pk=deal.pk).exists()


def closed_deal_refusal(
    user: Viewer, deal: Deal, changed: list[str], reason: str
) -> dict[str, str]:
    """Why `user` may not change the locked fields `changed` of a closed deal, by field (empty:
    they may). Only admins change what a won or lost deal was worth, when, for whom and where,
    and they say why (see pipeline/locking.py)."""
    if not changed:
        return {}
    if not _is_admin(user):
        why = f"This deal is {deal.status}: only an admin can change its {', '.join(changed)}."
        return dict.fromkeys(changed, why)
    if not reason.strip():
        return {"reason": "Give a reason for changing a closed deal: the change is audited."}
    return {}


def can_change_closed_deals(user: Viewer) -> bool:
    return _is_admin(user)


def deal_territories(user: Viewer) -> QuerySet[Territory]:
    """Territories `user` may put a deal in: any for admins, else those worked by the people
    they see (a rep: their own)."""
    if _is_admin(user):
        return Territory.objects.all()
    worked = Territory.objects.filter(assignments__rep__in=visible_people(user))
    return Territory.objects.filter(pk__in=worked.values("pk"))


def can_log_activity_for(user: Viewer, rep: User) -> bool:
    if _is_admin(user):
        return True
    if not user.is_authenticated or user.role not in {Role.REP, Role.MANAGER}:
        return False
    return visible_people(user).filter(pk=rep.pk).exists()


def can_manage_org(user: Viewer) -> bool:
    """Users, territories, quotas, compensation plans and imports are sales operations' job."""
    return _is_admin(user)


def can_view_audit_log(user: Viewer) -> bool:
    return _is_admin(user)


def can_import(user: Viewer) -> bool:
    """CSV imports write every kind of sales data at once: sales operations only."""
    return _is_admin(user)


def visible_import_runs(user: Viewer) -> QuerySet[ImportRun]:
    """The import log (who imported which file, with its errors): admins only."""
    return ImportRun.objects.all() if can_import(user) else ImportRun.objects.none()


def can_view_territory_plans(user: Viewer) -> bool:
    """Territory pages, assignment rules, balance and segmentation: executives read them."""
    return user.is_authenticated and user.is_active and user.role in SEES_ALL


def can_manage_territories(user: Viewer) -> bool:
    """Only sales operations changes territories, their reps, rules and account assignments."""
    return _is_admin(user)


def visible_scope(user: Viewer) -> Scope:
    """Everything the metrics service may count for `user`, as one scope."""
    return Scope(
        deals=visible_deals(user),
        accounts=visible_accounts(user),
        activities=visible_activities(user),
        subscriptions=visible_subscriptions(user),
        surveys=visible_survey_responses(user),
        quotas=visible_quotas(user),
        reps=visible_people(user).filter(role=Role.REP),
        company=_people_ids(user) is None,
        closed=_credited_in_rollups(user),
    )


def _credited_in_rollups(user: Viewer) -> Q:
    """`_credited` for closed deals, said on the daily rollup's columns."""
    ids = _people_ids(user)
    if ids is None:
        return Q()
    if isinstance(user, User) and user.role == Role.MANAGER:
        return Q(manager_id__in=ids) | Q(owner_id=user.pk)
    return Q(owner_id__in=ids)


# Compensation. Plans are not secret (everyone signed in reads them); pay is: statements, their
# lines and disputes follow the people scope, like deals.


def visible_comp_plans(user: Viewer) -> QuerySet[CompPlan]:
    return _shared(CompPlan.objects.all(), user)


def visible_plan_components(user: Viewer) -> QuerySet[PlanComponent]:
    return _shared(PlanComponent.objects.all(), user)


def visible_plan_assignments(user: Viewer) -> QuerySet[PlanAssignment]:
    """Who is on which plan, for the people the user sees."""
    ids = _people_ids(user)
    rows = PlanAssignment.objects.all()
    return rows if ids is None else rows.filter(rep_id__in=ids)


def visible_statements(user: Viewer) -> QuerySet[Statement]:
    """A rep's own statements; a manager's reporting tree's; executives' and admins' all."""
    ids = _people_ids(user)
    return Statement.objects.all() if ids is None else Statement.objects.filter(rep_id__in=ids)


def visible_statement_lines(user: Viewer) -> QuerySet[StatementLine]:
    return StatementLine.objects.filter(statement__in=visible_statements(user))


def visible_disputes(user: Viewer) -> QuerySet[Dispute]:
    return Dispute.objects.filter(statement__in=visible_statements(user))


def visible_deal_credits(user: Viewer) -> QuerySet[DealCredit]:
    """Credit splits of the deals the user sees, and the user's people's own shares."""
    ids = _people_ids(user)
    if ids is None:
        return DealCredit.objects.all()
    return DealCredit.objects.filter(Q(deal__in=visible_deals(user)) | Q(rep_id__in=ids))


def can_manage_comp_plans(user: Viewer) -> bool:
    """Plans, assignments, credit splits, closing periods and resolving disputes: admins."""
    return _is_admin(user)


def can_raise_dispute(user: Viewer, statement: Statement | None = None) -> bool:
    """Only the rep paid by a statement disputes it (without `statement`: may the user raise
    disputes at all)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if statement is None:
        return user.role in {Role.REP, Role.MANAGER}
    return statement.rep_id == user.pk


def can_see_pay_of(user: Viewer, rep: User) -> bool:
    """Pay (statements, payout previews) follows the people scope."""
    ids = _people_ids(user)
    return ids is None or rep.pk in ids


# Quota planning: sales operations plans; managers read their tree's plan, executives all.


def can_view_quota_plan(user: Viewer) -> bool:
    """The quota planning grid: managers (their tree), executives and admins; not reps."""
    return user.is_authenticated and user.is_active and user.role != Role.REP


def visible_plan_teams(user: Viewer) -> QuerySet[Team]:
    """Teams on the quota plan: all, or those led by or holding people of a manager's tree."""
    if not can_view_quota_plan(user):
        return Team.objects.none()
    ids = _people_ids(user)
    if ids is None:
        return Team.objects.all()
    return Team.objects.filter(Q(manager_id__in=ids) | Q(members__in=ids)).distinct()


def visible_plan_territories(user: Viewer) -> QuerySet[Territory]:
    """Territories on the quota plan: all, or those where a manager's people are assigned."""
    if not can_view_quota_plan(user):
        return Territory.objects.none()
    ids = _people_ids(user)
    if ids is None:
        return Territory.objects.all()
    return Territory.objects.filter(assignments__rep_id__in=ids).distinct()


# Forecasts follow the people scope: executives and admins see every line (company and
# territories included); a manager the lines of their tree's managers and reps; a rep their own.


def visible_forecast_runs(user: Viewer) -> QuerySet[ForecastRun]:
    """When runs happened and how they went hold no figures: everyone signed in reads them."""
    return _shared(ForecastRun.objects.all(), user)


def _person_scopes(user: Viewer) -> Q | None:
    """Person-level forecast scopes (manager trees and reps) the user sees; None: all scopes."""
    ids = _people_ids(user)
    if ids is None:
        return None
    return Q(
        scope_kind__in=[ScopeKind.MANAGER, ScopeKind.REP], scope_key__in=[str(pk) for pk in ids]
    )


def visible_forecast_lines(user: Viewer) -> QuerySet[ForecastLine]:
    """Lines of complete runs only: a run still being written by its workers shows nothing."""
    scopes = _person_scopes(user)
    lines = ForecastLine.objects.filter(run__status=RunStatus.SUCCEEDED)
    return lines if scopes is None else lines.filter(scopes)


def visible_forecast_calls(user: Viewer) -> QuerySet[ForecastCall]:
    scopes = _person_scopes(user)
    calls = ForecastCall.objects.all()
    return calls if scopes is None else calls.filter(scopes)


def can_make_forecast_call(
    user: Viewer, scope_kind: str | None = None, scope_key: str = ""
) -> bool:
    """A manager calls their own tree's number; an admin any scope's (without a scope: may the
    user make calls at all)."""
    if _is_admin(user):
        return True
    if not user.is_authenticated or not user.is_active or user.role != Role.MANAGER:
        return False
    return scope_kind is None or (scope_kind == ScopeKind.MANAGER and scope_key == str(user.pk))


def can_open_forecast_page(user: Viewer) -> bool:
    """The forecast grid and its calls: managers (their tree), executives and admins."""
    return user.is_authenticated and user.is_active and user.role != Role.REP


def forecast_page_root(user: Viewer) -> tuple[str, str] | None:
    """Where a person's forecast grid starts: the company for executives and admins, a
    manager's own tree; None for anyone else."""
    if not can_open_forecast_page(user):
        return None
    return forecast_headline_scope(user)


def forecast_headline_scope(user: Viewer) -> tuple[str, str] | None:
    """The scope a person's forecast is about: the company for executives and admins, a
    manager's own tree, a rep's own deals."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role in (Role.EXECUTIVE, Role.ADMIN):
        return ScopeKind.COMPANY, ""
    if user.role == Role.MANAGER:
        return ScopeKind.MANAGER, str(user.pk)
    return ScopeKind.REP, str(user.pk)


# Dashboards: which roles open which page (anyone else gets a 403: the page exists, the action
# is not theirs) and where each role lands. Rows inside a page come from the viewer's scope.

DASHBOARD_ROLES = {
    "rep": {Role.REP, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN},
    "manager": {Role.MANAGER, Role.EXECUTIVE, Role.ADMIN},
    "executive": {Role.EXECUTIVE, Role.ADMIN},
    "admin": {Role.ADMIN},
}
DASHBOARD_HOME: dict[str, str] = {
    Role.REP: "rep",
    Role.MANAGER: "manager",
    Role.EXECUTIVE: "executive",
    Role.ADMIN: "admin",
}


def can_open_dashboard(user: Viewer, page: str) -> bool:
    return user.is_authenticated and user.is_active and user.role in DASHBOARD_ROLES[page]


def dashboard_home(user: User) -> str:
    """The dashboard a role lands on."""
    return DASHBOARD_HOME.get(user.role, "rep")
