"""Which territory and owner the assignment rules give each account."""

from datetime import date

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from pipeline.accounts import Move
from pipeline.models import Account
from planning.models import AssignmentRule
from territories.selectors import territory_subtree_ids


def any_of(field: str, text: str) -> Q:
    """`field` equal (case-insensitive) to one of the comma-separated values; empty: any."""
    condition = Q()
    for value in filter(None, (part.strip() for part in text.split(","))):
        condition |= Q(**{f"{field}__iexact": value})
    return condition


def rule_condition(rule: AssignmentRule) -> Q:
    """The accounts a rule matches: every condition it sets holds."""
    condition = any_of("country", rule.countries) & any_of("industry", rule.industries)
    bounds = {
        "employees__gte": rule.min_employees,
        "employees__lte": rule.max_employees,
        "annual_revenue__gte": rule.min_revenue,
        "annual_revenue__lte": rule.max_revenue,
    }
    condition &= Q(**{lookup: value for lookup, value in bounds.items() if value is not None})
    if rule.region_id is not None:
        condition &= Q(territory_id__in=territory_subtree_ids([rule.region_id]))
    if rule.pk and rule.accounts.exists():
        condition &= Q(pk__in=rule.accounts.values("pk"))
    return condition or Q(pk__isnull=False)  # no condition: every account


def rules_in_force(on: date) -> tuple[list[AssignmentRule], list[AssignmentRule]]:
    """Active rules in priority order, and those skipped because their territory is closed."""
    rules = list(AssignmentRule.objects.filter(active=True).select_related("territory"))
    usable = [rule for rule in rules if not rule.territory.is_closed(on)]
    return usable, [rule for rule in rules if rule.territory.is_closed(on)]


def assignment_preview(accounts: QuerySet[Account], on: date) -> list[Move]:
    """The accounts the rules would move, from and to, in one query over `accounts`.

    Each account takes the first matching rule by priority (a database CASE keeps the order);
    a rule without an owner keeps the account's owner.
    """
    rules, _ = rules_in_force(on)
    if not rules:
        return []
    by_pk = {rule.pk: rule for rule in rules}
    first = Case(
        *(When(rule_condition(rule), then=Value(rule.pk)) for rule in rules),
        output_field=IntegerField(),
    )
    rows = (
        accounts.annotate(rule_id=first)
        .filter(rule_id__isnull=False)
        .values_list("pk", "name", "territory_id", "owner_id", "rule_id")
        .order_by("name", "pk")
    )
    moves = []
    for pk, name, territory, owner, rule_id in rows:
        rule = by_pk[rule_id]
        target = (rule.territory_id, rule.owner_id or owner)
        if target != (territory, owner):
            moves.append(Move(pk, name, territory, target[0], owner, target[1], rule.name))
    return moves
