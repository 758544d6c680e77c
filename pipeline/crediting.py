"""Crediting a closed deal to the territory and owner in force when it closed.

The rule every figure follows: a closed deal (won or lost) counts for the owner who closed it
(`closed_owner`), that owner's manager and team, and the territory credited at close; an open
deal counts for its current owner. `credited_to` and the `CREDITED_*` expressions say it once
for every query (KPIs, leaderboards, attainment, pay, forecast actuals, who sees what).

The deal model layer calls `credit_at_close` on every write path (save, bulk_create,
bulk_update, update), so reports on closed deals do not change when accounts move later. The
territory is the deal's own, else its account's on the close date (from the account's history),
so it is the same whenever it is worked out; the owner is the deal's owner when it closed.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.apps import apps
from django.db.models import Case, F, IntegerField, Q, QuerySet, When
from django.db.models.functions import Coalesce

from org.services import reporting_lines_on

CLOSED = ("won", "lost")
# Deal fields whose change can change a closed deal's credit.
CREDIT_INPUTS = {"stage", "stage_id", "account", "account_id", "territory", "territory_id"}
CREDIT_INPUTS |= {"closed_on", "owner", "owner_id"}
CREDIT_FIELDS = ["closed_territory", "closed_owner", "closed_manager", "closed_team"]


def _credited(closed: str, current: str) -> Case:
    return Case(
        When(status__in=CLOSED, then=F(closed)), default=F(current), output_field=IntegerField()
    )


# PostgreSQL keeps statistics on CREDITED_OWNER (see migration 0003), so it groups by hashing.
CREDITED_OWNER = _credited("closed_owner_id", "owner_id")
CREDITED_MANAGER = _credited("closed_manager_id", "owner__manager_id")
CREDITED_TEAM = _credited("closed_team_id", "owner__team_id")
# A closed deal counts in the territory credited when it closed (so past reports hold when
# accounts move); an open deal in its own territory, else its account's current one.
CREDITED_TERRITORY = Case(
    When(status__in=CLOSED, then=F("closed_territory_id")),
    default=Coalesce(F("territory_id"), F("account__territory_id")),
    output_field=IntegerField(),
)


def credited_to(people: Iterable[int] | QuerySet) -> Q:
    """Deals credited to `people` (ids, or a queryset of ids): closed ones to whoever owned them
    when they closed, open ones to their current owner."""
    closed = Q(status__in=CLOSED)
    return (closed & Q(closed_owner_id__in=people)) | (~closed & Q(owner_id__in=people))


def credited_to_tree(root: int, tree: Iterable[int] | QuerySet) -> Q:
    """Deals credited to the reporting tree of `root` (`tree`: root and everyone below now):
    closed ones by `root`, or by someone who then reported to a manager in the tree; open ones
    owned in the tree now."""
    closed = Q(status__in=CLOSED)
    then = Q(closed_manager_id__in=tree) | Q(closed_owner_id=root)
    return (closed & then) | (~closed & Q(owner_id__in=tree))


def credited_to_team(team: int, members: Iterable[int] | QuerySet) -> Q:
    """Deals credited to a team: closed ones by whoever was in it then, open ones owned by its
    members now."""
    closed = Q(status__in=CLOSED)
    return (closed & Q(closed_team_id=team)) | (~closed & Q(owner_id__in=members))


def credit_at_close(deals: Iterable) -> None:
    """Set each closed deal's credited territory and owner (in memory); clear them on open deals.

    The territory is the deal's own, else the account's on the close date (its history, else
    its current one).
    """
    closed = []
    for deal in deals:
        if deal.status in CLOSED:
            closed.append(deal)
        else:
            deal.closed_territory_id = deal.closed_owner_id = None
            deal.closed_manager_id = deal.closed_team_id = None
    if not closed:
        return
    wanted = {(d.account_id, d.closed_on) for d in closed if d.account_id and not d.territory_id}
    territories = account_territories_on(wanted)
    fresh = [deal for deal in closed if deal.closed_owner_id is None]
    for deal in closed:
        in_force = territories.get((deal.account_id, deal.closed_on))
        deal.closed_territory_id = deal.territory_id or in_force
        if deal.closed_owner_id is None:
            deal.closed_owner_id = deal.owner_id
    lines_at_close(fresh)


def lines_at_close(deals: list) -> None:
    """The closer's manager and team on the close date, from their reporting lines (else as
    they are now), for deals just credited."""
    pairs = {(d.closed_owner_id, d.closed_on) for d in deals if d.closed_owner_id and d.closed_on}
    if not pairs:
        for deal in deals:
            deal.closed_manager_id = deal.closed_team_id = None
        return
    lines = reporting_lines_on(pairs)
    User = apps.get_model("org", "User")
    people = User.objects.in_bulk({person for person, _ in pairs})
    for deal in deals:
        line = lines.get((deal.closed_owner_id, deal.closed_on))
        person = people.get(deal.closed_owner_id)
        source = line if line is not None else person
        deal.closed_manager_id = source.manager_id if source else None
        deal.closed_team_id = source.team_id if source else None


def account_territories_on(pairs: set[tuple[int, date]]) -> dict[tuple[int, date], int | None]:
    """{(account id, day): territory id in force that day}, in two queries."""
    if not pairs:
        return {}
    ids = {account for account, _ in pairs}
    Account = apps.get_model("pipeline", "Account")
    AccountAssignment = apps.get_model("pipeline", "AccountAssignment")
    current = dict(Account.objects.filter(pk__in=ids).values_list("pk", "territory_id"))
    history = defaultdict(list)
    rows = AccountAssignment.objects.filter(account_id__in=ids)
    for account, territory, start, end in rows.values_list(
        "account_id", "territory_id", "start", "end"
    ):
        history[account].append((start, end, territory))
    return {
        (account, day): _in_force(history[account], day, current.get(account))
        for account, day in pairs
    }


def _in_force(rows: list, day: date, current: int | None) -> int | None:
    for start, end, territory in rows:
        if start <= day and (end is None or day < end):
            return territory
    return current
