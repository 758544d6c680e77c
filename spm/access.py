"""Who sees what, and who may do what: the only place that turns a user into data.

Views, API viewsets, exports, dashboards, the metrics service and Celery-built reports start
from these functions; nothing else filters by role. Scopes are computed from the database on
every call, so a changed role or manager takes effect at the next request.

- rep: their own deals, accounts, activities and quotas (plus their team's quota).
- manager: everything of everyone in their reporting tree, at any depth.
- executive: all sales data, read-only.
- admin (sales operations): everything, and manages users, territories, quotas and plans.
"""

from django.db.models import Q, QuerySet

from compensation.models import (
    CompPlan,
    DealCredit,
    Dispute,
    PlanAssignment,
    PlanComponent,
    Statement,
    StatementLine,
)
from metrics.scope import Scope
from pipeline.models import (
    Account,
    Activity,
    Deal,
    DealChange,
    Product,
    Stage,
    Subscription,
    SurveyResponse,
)
from quotas.models import Quota
from territories.models import Role, Team, Territory, User
from territories.selectors import reporting_tree_ids

SEES_ALL = {Role.EXECUTIVE, Role.ADMIN}


def _people_ids(user: User) -> set[int] | None:
    """Ids of the people whose data `user` sees; None means everyone."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.role in SEES_ALL:
        return None
    if user.role == Role.MANAGER:
        return reporting_tree_ids([user.pk])
    return {user.pk}


def visible_people(user: User) -> QuerySet[User]:
    """The people `user` may list: themselves, their reporting tree, or everyone."""
    ids = _people_ids(user)
    people = User.objects.all()
    return people if ids is None else people.filter(pk__in=ids)


def visible_deals(user: User) -> QuerySet[Deal]:
    ids = _people_ids(user)
    return Deal.objects.all() if ids is None else Deal.objects.filter(owner_id__in=ids)


def visible_accounts(user: User) -> QuerySet[Account]:
    """Accounts the user's people own, or on which they own a deal."""
    ids = _people_ids(user)
    if ids is None:
        return Account.objects.all()
    dealt = Deal.objects.filter(owner_id__in=ids, account__isnull=False).values("account_id")
    return Account.objects.filter(Q(owner_id__in=ids) | Q(pk__in=dealt))


def visible_activities(user: User) -> QuerySet[Activity]:
    ids = _people_ids(user)
    return Activity.objects.all() if ids is None else Activity.objects.filter(rep_id__in=ids)


def visible_subscriptions(user: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(account__in=visible_accounts(user))


def visible_survey_responses(user: User) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(account__in=visible_accounts(user))


def visible_quotas(user: User) -> QuerySet[Quota]:
    """Quotas of the user's people and of the teams they belong to or lead."""
    ids = _people_ids(user)
    if ids is None:
        return Quota.objects.all()
    people = User.objects.filter(pk__in=ids)
    teams = Q(team__members__in=people) | Q(team__manager__in=people)
    return Quota.objects.filter(Q(rep_id__in=ids) | teams).distinct()


def visible_deal_changes(user: User) -> QuerySet[DealChange]:
    return DealChange.objects.filter(deal__in=visible_deals(user))


def _shared(queryset: QuerySet, user: User) -> QuerySet:
    """Reference data every signed-in person may read."""
    return queryset if user.is_authenticated and user.is_active else queryset.none()


def visible_territories(user: User) -> QuerySet[Territory]:
    return _shared(Territory.objects.all(), user)


def visible_products(user: User) -> QuerySet[Product]:
    return _shared(Product.objects.all(), user)


def visible_stages(user: User) -> QuerySet[Stage]:
    return _shared(Stage.objects.all(), user)


def visible_teams(user: User) -> QuerySet[Team]:
    return _shared(Team.objects.all(), user)


def _is_admin(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.ADMIN


def can_use_admin_site(user: User) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or _is_admin(user))


def can_edit_deal(user: User, deal: Deal | None = None) -> bool:
    """Admins edit any deal; reps and managers the deals they can see (without `deal`: may they
    write deals at all); executives read only."""
    if _is_admin(user):
        return True
    if not user.is_authenticated or user.role not in {Role.REP, Role.MANAGER}:
        return False
    return deal is None or visible_deals(user).filter(pk=deal.pk).exists()


def can_log_activity_for(user: User, rep: User) -> bool:
    if _is_admin(user):
        return True
    if not user.is_authenticated or user.role not in {Role.REP, Role.MANAGER}:
        return False
    return visible_people(user).filter(pk=rep.pk).exists()


def can_manage_org(user: User) -> bool:
    """Users, territories, quotas, compensation plans and imports are sales operations' job."""
    return _is_admin(user)


def can_view_audit_log(user: User) -> bool:
    return _is_admin(user)


def visible_scope(user: User) -> Scope:
    """Everything the metrics service may count for `user`, as one scope."""
    return Scope(
        deals=visible_deals(user),
        accounts=visible_accounts(user),
        activities=visible_activities(user),
        subscriptions=visible_subscriptions(user),
        surveys=visible_survey_responses(user),
        quotas=visible_quotas(user),
        reps=visible_people(user).filter(role=Role.REP),
    )


# Compensation. Plans are not secret (everyone signed in reads them); pay is: statements, their
# lines and disputes follow the people scope, like deals.


def visible_comp_plans(user: User) -> QuerySet[CompPlan]:
    return _shared(CompPlan.objects.all(), user)


def visible_plan_components(user: User) -> QuerySet[PlanComponent]:
    return _shared(PlanComponent.objects.all(), user)


def visible_plan_assignments(user: User) -> QuerySet[PlanAssignment]:
    """Who is on which plan, for the people the user sees."""
    ids = _people_ids(user)
    rows = PlanAssignment.objects.all()
    return rows if ids is None else rows.filter(rep_id__in=ids)


def visible_statements(user: User) -> QuerySet[Statement]:
    """A rep's own statements; a manager's reporting tree's; executives' and admins' all."""
    ids = _people_ids(user)
    return Statement.objects.all() if ids is None else Statement.objects.filter(rep_id__in=ids)


def visible_statement_lines(user: User) -> QuerySet[StatementLine]:
    return StatementLine.objects.filter(statement__in=visible_statements(user))


def visible_disputes(user: User) -> QuerySet[Dispute]:
    return Dispute.objects.filter(statement__in=visible_statements(user))


def visible_deal_credits(user: User) -> QuerySet[DealCredit]:
    """Credit splits of the deals the user sees, and the user's people's own shares."""
    ids = _people_ids(user)
    if ids is None:
        return DealCredit.objects.all()
    return DealCredit.objects.filter(Q(deal__in=visible_deals(user)) | Q(rep_id__in=ids))


def can_manage_comp_plans(user: User) -> bool:
    """Plans, assignments, credit splits, closing periods and resolving disputes: admins."""
    return _is_admin(user)


def can_raise_dispute(user: User, statement: Statement | None = None) -> bool:
    """Only the rep paid by a statement disputes it (without `statement`: may the user raise
    disputes at all)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if statement is None:
        return user.role in {Role.REP, Role.MANAGER}
    return statement.rep_id == user.pk


def can_see_pay_of(user: User, rep: User) -> bool:
    """Pay (statements, payout previews) follows the people scope."""
    ids = _people_ids(user)
    return ids is None or rep.pk in ids
