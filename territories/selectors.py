"""Reads over the territory tree and who works which territory when."""

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Q, QuerySet

from core.trees import subtree_ids
from territories.models import Territory, TerritoryAssignment


def territory_subtree_ids(territory_ids: Iterable[int]) -> set[int]:
    """The given territories and all territories below them."""
    return subtree_ids(Territory, "parent", territory_ids)


def territory_list(territories: QuerySet[Territory], on: date) -> list[dict]:
    """The tree flattened in display order (parents before children, names in order), each row
    with its depth, its accounts and the reps working it on `on`."""
    counted = territories.annotate(
        accounts_n=Count("accounts", distinct=True),
        reps_n=Count("assignments__rep", filter=_working(on, "assignments__"), distinct=True),
    ).order_by("name")
    children: dict[int | None, list] = {}
    for territory in counted:
        children.setdefault(territory.parent_id, []).append(territory)
    rows: list[dict] = []
    known = {territory.pk for territory in counted}

    def visit(node: Territory, depth: int) -> None:
        rows.append({"territory": node, "depth": depth, "closed": node.is_closed(on)})
        for child in children.get(node.pk, []):
            visit(child, depth + 1)

    for parent, nodes in children.items():
        if parent is None or parent not in known:
            for node in nodes:
                visit(node, 0)
    return rows


def _working(on: date, prefix: str = "") -> Q:
    """Assignments in force on `on` (start included, end excluded)."""
    return Q(**{f"{prefix}start__lte": on}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": on})
    )


def assignments_on(on: date) -> QuerySet[TerritoryAssignment]:
    """Rep assignments in force on `on`."""
    return TerritoryAssignment.objects.filter(_working(on))
