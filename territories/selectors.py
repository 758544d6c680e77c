"""Reads over the sales organisation: reporting trees and territory subtrees."""

from collections.abc import Iterable

from django.db.models import Model

from territories.models import Territory, User


def _subtree_ids(model: type[Model], parent_field: str, root_ids: Iterable[int]) -> set[int]:
    """The roots and everything below them, one query per level of the tree."""
    found = set(root_ids)
    frontier = set(found)
    while frontier:
        children = set(
            model.objects.filter(**{f"{parent_field}__in": frontier}).values_list("id", flat=True)
        )
        frontier = children - found
        found |= frontier
    return found


def reporting_tree_ids(manager_ids: Iterable[int]) -> set[int]:
    """The given people and everyone reporting to them, at any depth."""
    return _subtree_ids(User, "manager_id", manager_ids)


def territory_subtree_ids(territory_ids: Iterable[int]) -> set[int]:
    """The given territories and all territories below them."""
    return _subtree_ids(Territory, "parent_id", territory_ids)
