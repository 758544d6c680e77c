"""One line per rep on the team page: their KPIs, and a link to their own dashboard."""

from dataclasses import dataclass

from django.urls import reverse

from dashboards.filters import Filters
from metrics.definitions import ACTIVITY_KINDS
from metrics.service import Group

ACTIVITY_KEYS = tuple(ACTIVITY_KINDS)


@dataclass(frozen=True)
class RepLine:
    name: str
    pk: int | None
    values: dict

    @property
    def activities(self) -> int:
        return sum(self.values[key] or 0 for key in ACTIVITY_KEYS)


def rep_line(group: Group, ids: dict[str, int]) -> RepLine:
    return RepLine(group.key, ids.get(group.key), group.values)


def rep_page(filters: Filters, pk: int | None) -> str | None:
    if pk is None:
        return None
    return reverse("dashboards:rep") + "?" + filters.query(rep=pk, team=None)
