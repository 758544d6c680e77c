"""Reads over the people of the organisation."""

from collections.abc import Iterable

from core.trees import subtree_ids
from org.models import User


def reporting_tree_ids(manager_ids: Iterable[int]) -> set[int]:
    """The given people and everyone reporting to them, at any depth."""
    return subtree_ids(User, "manager", manager_ids)
