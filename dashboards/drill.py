"""The rows behind a figure: deals, activities, accounts, subscriptions and survey answers.

A drill-down starts from the same scope as the dashboard (the user's visible scope narrowed by
the page filters) and applies the same conditions as the KPI queries, so its rows add up to the
figure that linked to it. Parameters that name ids are looked up through the access layer (an
id out of scope is a 404); anything malformed is a 400.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import overload

from django.core.exceptions import BadRequest
from django.db.models import Aggregate, Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404, QueryDict
from django.utils import timezone

import access
from core.periods import Period, week_containing
from core.query import parse_date
from dashboards.filters import Filters
from dashboards.filtersets import (
    CLOSED,
    DEAL_MEASURES,
    deal_conditions,
    deal_filters,
    owners_named,
    owners_words,
)
from metrics.definitions import COUNT, CURRENCY
from metrics.queries.common import MONEY_SUM, in_period, in_period_moments, local_midnight
from metrics.queries.subscriptions import active_on
from metrics.scope import Scope
from org.models import User
from pipeline.due import overdue_flag
from pipeline.models import (
    ActivityKind,
    DealChange,
    StageKind,
    SurveyKind,
)

KINDS = ("deals", "activities", "accounts", "subscriptions", "surveys")
DEFAULT_STUCK_DAYS = 30


@dataclass(frozen=True)
class Column:
    key: str  # the value's key in a row dict
    label: str
    sort: str | None = None  # the ORM ordering it sorts by; None: not sortable
    unit: str = ""  # CURRENCY or COUNT for numbers; "" for text and dates
    link: str = ""  # "deal" or "account": the row key `<link>_id` (or `id`) names its page


EXPECTED = Column("expected_close_on", "Expected close", "expected_close_on")


@dataclass(frozen=True)
class Listing:
    kind: str
    title: str
    rows: QuerySet  # values() rows, unordered
    columns: list[Column]
    sum_of: str | None  # the column whose sum is the figure; None: the row count is
    default_sort: str


@overload
def choice(query: QueryDict, name: str, choices, default: str) -> str: ...
@overload
def choice(query: QueryDict, name: str, choices, default: None = None) -> str | None: ...
def choice(query: QueryDict, name: str, choices, default: str | None = None) -> str | None:
    value = query.get(name) or default
    if value is not None and value not in choices:
        raise BadRequest(f"{name} is one of {', '.join(choices)}.")
    return value


def owner_fields(path: str) -> dict:
    """The person at `path` as the owner columns every listing shows."""
    return {
        "owner_first": F(f"{path}__first_name"),
        "owner_last": F(f"{path}__last_name"),
        "owner_username": F(f"{path}__username"),
    }


def deal_listing(user: User, scope: Scope, filters: Filters, query: QueryDict, today: date):
    values = deal_filters(user, query)
    measure = values["measure"]
    deals = scope.deals
    window = values["month"] or filters.window
    words = [DEAL_MEASURES[measure]]
    if measure in CLOSED:
        deals = deals.filter(Q(status__in=CLOSED[measure]) & in_period("closed_on", window))
        words.append(_window_words(window))
    elif measure == "created":
        deals = deals.filter(in_period("created_on", window))
        words.append(_window_words(window))
    elif measure != "all":
        deals = deals.filter(status=StageKind.OPEN)
    if measure == "stuck":
        days = values["days"] or DEFAULT_STUCK_DAYS
        deals = stuck_deals(deals, days, today)
        words.append(f"for more than {days} days")
    narrowing, said = deal_conditions(values, filters.window, filters.label, today)
    deals = deals.filter(narrowing)
    words += said
    rows = deals.values(
        "id",
        "name",
        "amount",
        "currency",
        "created_on",
        "expected_close_on",
        "closed_on",
        "forecast_category",
        "account_id",
        account_name=F("account__name"),
        stage_name=F("stage__name"),
        **owner_fields("owner"),
        territory_name=F("territory__name"),
    )
    rows = rows.annotate(overdue=overdue_flag(today))
    if measure == "stuck":
        rows = rows.annotate(last_move=F("last_move"))
    columns = [
        Column("name", "Deal", "name", link="deal"),
        Column("account_name", "Account", "account__name", link="account"),
        Column("owner", "Owner", "owner__last_name"),
        Column("stage_name", "Stage", "stage__order"),
        Column("territory_name", "Territory", "territory__name"),
        Column("created_on", "Created", "created_on"),
        EXPECTED,
        Column("closed_on", "Closed", "closed_on"),
        Column("amount", "Amount", "amount", CURRENCY),
    ]
    if measure == "stuck":
        columns.insert(-1, Column("last_move", "Last stage change", "last_move"))
    if measure in ("open", "stuck", "all"):
        columns.insert(columns.index(EXPECTED) + 1, Column("overdue", "Overdue", "overdue"))
    default = "-closed_on" if measure in ("won", "lost", "closed") else "expected_close_on"
    return Listing("deals", " ".join(words), rows, columns, "amount", default)


def stuck_deals(deals: QuerySet, days: int, today: date) -> QuerySet:
    """Open deals whose stage last changed (or that were created) more than `days` ago.

    The history's first row of a deal ("created") counts as entering its stage; a deal without
    history falls back to its created_on.
    """
    moved = Q(changed_fields__contains="stage") | Q(changed_fields="created")
    moves = DealChange.objects.filter(moved, deal=OuterRef("pk"))
    last = Subquery(moves.order_by("-changed_at").values("changed_at")[:1])
    cutoff = local_midnight(today - timedelta(days=days))
    return deals.annotate(last_move=last).filter(
        Q(last_move__lt=cutoff) | Q(last_move__isnull=True, created_on__lt=cutoff.date())
    )


def activity_listing(user: User, scope: Scope, filters: Filters, query: QueryDict, today: date):
    kind = choice(query, "activity", ActivityKind.values)
    week = parse_date(query.get("week"), "week")
    window = week_containing(week) if week else filters.window
    activities = scope.activities.filter(in_period_moments("occurred_at", window))
    words = ["Activities" if kind is None else f"{ActivityKind(kind).label} activities"]
    words.append(f"in the week of {window.start.isoformat()}" if week else _window_words(window))
    if kind:
        activities = activities.filter(kind=kind)
    if (owners := owners_named(user, query.get("owner") or "")) is not None:
        activities = activities.filter(rep_id__in=owners)
        words.append(owners_words(owners).replace("owned by", "by"))
    rows = activities.values(
        "id",
        "kind",
        "occurred_at",
        "outcome",
        "account_id",
        "deal_id",
        account_name=F("account__name"),
        deal_name=F("deal__name"),
        **owner_fields("rep"),
    )
    columns = [
        Column("occurred_at", "When", "occurred_at"),
        Column("kind_label", "Kind", "kind"),
        Column("owner", "Rep", "rep__last_name"),
        Column("account_name", "Account", "account__name", link="account"),
        Column("deal_name", "Deal", "deal__name", link="deal"),
        Column("outcome", "Outcome", "outcome"),
    ]
    return Listing("activities", " ".join(words), rows, columns, None, "-occurred_at")


def account_listing(user: User, scope: Scope, filters: Filters, query: QueryDict, today: date):
    accounts = scope.accounts
    words = ["Accounts"]
    if choice(query, "missing", ("territory",)):
        accounts = accounts.filter(territory__isnull=True)
        words.append("without a territory")
    rows = accounts.values(
        "id",
        "name",
        "segment",
        "country",
        territory_name=F("territory__name"),
        **owner_fields("owner"),
    )
    columns = [
        Column("name", "Account", "name", link="account"),
        Column("segment", "Segment", "segment"),
        Column("country", "Country", "country"),
        Column("territory_name", "Territory", "territory__name"),
        Column("owner", "Owner", "owner__last_name"),
    ]
    return Listing("accounts", " ".join(words), rows, columns, None, "name")


def mrr_day(window: Period, today: date) -> date:
    """The day whose MRR the MRR tile shows: the window's last day, today at the latest."""
    return min(window.end - timedelta(days=1), today)


def subscription_listing(user: User, scope: Scope, filters: Filters, query: QueryDict, today: date):
    day = mrr_day(filters.window, today)
    subscriptions = scope.subscriptions.filter(active_on(day))
    rows = subscriptions.values(
        "id",
        "mrr",
        "currency",
        "start",
        "end",
        "account_id",
        account_name=F("account__name"),
        product_name=F("product__name"),
        **owner_fields("account__owner"),
    )
    columns = [
        Column("account_name", "Account", "account__name", link="account"),
        Column("product_name", "Product", "product__name"),
        Column("owner", "Account owner", "account__owner__last_name"),
        Column("start", "Start", "start"),
        Column("end", "End", "end"),
        Column("mrr", "MRR", "mrr", CURRENCY),
    ]
    title = f"Subscriptions active on {day.isoformat()} (the MRR)"
    return Listing("subscriptions", title, rows, columns, "mrr", "-mrr")


def survey_listing(user: User, scope: Scope, filters: Filters, query: QueryDict, today: date):
    kind = choice(query, "survey", SurveyKind.values)
    surveys = scope.surveys.filter(in_period("responded_on", filters.window))
    words = ["Survey answers" if kind is None else f"{kind.upper()} answers"]
    if kind:
        surveys = surveys.filter(kind=kind)
    words.append(_window_words(filters.window))
    rows = surveys.values(
        "id", "kind", "score", "responded_on", "account_id", account_name=F("account__name")
    )
    columns = [
        Column("responded_on", "Answered", "responded_on"),
        Column("account_name", "Account", "account__name", link="account"),
        Column("kind", "Survey", "kind"),
        Column("score", "Score", "score", COUNT),
    ]
    return Listing("surveys", " ".join(words), rows, columns, None, "-responded_on")


BUILDERS = {
    "deals": deal_listing,
    "activities": activity_listing,
    "accounts": account_listing,
    "subscriptions": subscription_listing,
    "surveys": survey_listing,
}


def listing(user: User, kind: str, filters: Filters, query: QueryDict, today: date) -> Listing:
    if kind not in BUILDERS:
        raise Http404("No such list.")
    scope = filters.narrow(access.visible_scope(user))
    return BUILDERS[kind](user, scope, filters, query, today)


def sorted_rows(found: Listing, sort: str | None) -> tuple[QuerySet, str]:
    """The rows in the order asked for (a column key, `-` first for descending)."""
    sort = sort or found.default_sort
    key = sort.removeprefix("-")
    column = next((c for c in found.columns if c.key == key and c.sort), None)
    if column is None:
        raise BadRequest(f"sort is one of {', '.join(c.key for c in found.columns if c.sort)}.")
    assert column.sort is not None  # only sortable columns are picked above
    descending = sort.startswith("-")
    order = (
        F(column.sort).desc(nulls_last=True) if descending else F(column.sort).asc(nulls_last=True)
    )
    return found.rows.order_by(order, "-id" if descending else "id"), sort


def total_of(found: Listing) -> tuple[int, Decimal | None]:
    """How many rows, and the sum of the summed column (one query)."""
    aggregates: dict[str, Aggregate] = {"n": Count("id")}
    if found.sum_of:
        aggregates["total"] = Sum(found.sum_of, output_field=MONEY_SUM)
    result = found.rows.order_by().aggregate(**aggregates)
    total = result.get("total")
    return result["n"], (Decimal(total or 0) if found.sum_of else None)


def _get(queryset: QuerySet, pk: int):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("Not found.")
    return found


def _window_words(window: Period) -> str:
    last = window.end - timedelta(days=1)
    return f"from {window.start.isoformat()} to {last.isoformat()}"


def local_time(value: datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
