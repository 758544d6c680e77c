"""Dashboard filters read from the query string, so every view can be bookmarked and shared.

Ids are looked up through the access layer: an id the user may not see is a 404, a value that
is not an id, a date or a known choice is a 400.
"""

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import TypeVar
from urllib.parse import urlencode

from django.core.exceptions import BadRequest
from django.db.models import Model, Q, QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404

import access
from core.periods import PERIOD_MONTHS, Period, add_months, fiscal_label, period_containing
from core.query import parse_date, parse_id
from metrics.scope import Scope
from org.models import Team, User
from pipeline.models import Product, SegmentTier
from territories.models import Territory

SCOPE_FIELDS = ("team", "territory", "rep", "product")

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Filters:
    period: str  # month, quarter or year (fiscal)
    on: date  # any day inside the period
    team: Team | None = None
    territory: Territory | None = None
    rep: User | None = None
    product: Product | None = None
    segment: str | None = None

    @property
    def window(self) -> Period:
        return period_containing(self.on, self.period)

    @property
    def previous(self) -> Period:
        return period_containing(add_months(self.window.start, -1), self.period)

    @property
    def label(self) -> str:
        return fiscal_label(self.window.start, self.period)

    def narrow(self, scope: Scope) -> Scope:
        """The user's scope cut down to the chosen team, territory, rep, product and segment."""
        return scope.narrow(
            team=self.team,
            territory=self.territory,
            rep=self.rep,
            product=self.product,
            segment=self.segment,
        )

    def params(self, **changes) -> dict[str, str]:
        """The filters as query parameters, with `changes` applied (None drops a parameter)."""
        values: dict[str, object] = {
            "period": self.period,
            "on": self.on.isoformat(),
            "segment": self.segment,
        }
        values |= {name: _pk(getattr(self, name)) for name in SCOPE_FIELDS}
        values |= changes
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    def query(self, **changes) -> str:
        return urlencode(self.params(**changes))

    def shifted(self, periods: int) -> "Filters":
        """The same view one period earlier (-1) or later (1)."""
        return replace(self, on=add_months(self.window.start, periods * PERIOD_MONTHS[self.period]))


def filters_from_query(user: User, query: QueryDict, *, today: date, period: str) -> Filters:
    """Filters from a request's GET parameters; `period` is the page's default period kind."""
    kind = query.get("period") or period
    if kind not in PERIOD_MONTHS:
        raise BadRequest("period is month, quarter or year.")
    segment = query.get("segment") or None
    if segment is not None and segment not in SegmentTier.values:
        raise BadRequest(f"segment is one of {', '.join(SegmentTier.values)}.")
    return Filters(
        period=kind,
        on=parse_date(query.get("on"), "on") or today,
        team=_visible(query, "team", visible_teams(user)),
        territory=_visible(query, "territory", access.visible_territories(user)),
        rep=_visible(query, "rep", access.visible_people(user)),
        product=_visible(query, "product", access.visible_products(user)),
        segment=segment,
    )


def visible_teams(user: User) -> QuerySet[Team]:
    """Teams led by, or holding, someone the user sees: a team filter never leaves the scope."""
    people = access.visible_people(user)
    teams = access.visible_teams(user)
    return teams.filter(Q(manager__in=people) | Q(members__in=people)).distinct()


def _visible(query: QueryDict, name: str, queryset: QuerySet[M]) -> M | None:
    pk = parse_id(query.get(name), name)
    return None if pk is None else get_object_or_404(queryset, pk=pk)


def _pk(value: Model | None) -> int | None:
    return None if value is None else value.pk


FILTER_NAMES = tuple(field.name for field in fields(Filters))
