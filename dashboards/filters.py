"""Dashboard filters read from the query string, so every view can be bookmarked and shared.

Ids are looked up through the access layer: an id the user may not see is a 404, a value that
is not an id, a date or a known choice is a 400.
"""

from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import TypeVar
from urllib.parse import urlencode

from django.db.models import Model
from django.http import QueryDict

from core.periods import PERIOD_MONTHS, Period, add_months, fiscal_label, period_containing
from dashboards.filtersets import page_filters
from metrics.scope import Scope
from org.models import Team, User
from pipeline.models import Product
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

    def compared(self, today: date) -> tuple[Period, str]:
        """The period the window is compared with, like for like, and how to say so.

        A finished period is set against the whole previous one. A period still running on
        `today` has only its first days so far: it is set against the same number of days from
        the start of the previous period (a quarter's first 46 days against the first 46 of the
        quarter before), never against a whole period it has not had yet.
        """
        previous = self.previous
        label = fiscal_label(previous.start, self.period)
        if not self.window.start <= today < self.window.end:
            return previous, label
        elapsed = (today - self.window.start).days + 1
        end = min(previous.start + timedelta(days=elapsed), previous.end)
        last = (end - timedelta(days=1)).isoformat()
        return Period(previous.start, end), f"the same {elapsed} days of {label} (to {last})"

    def shifted(self, periods: int) -> "Filters":
        """The same view one period earlier (-1) or later (1)."""
        return replace(self, on=add_months(self.window.start, periods * PERIOD_MONTHS[self.period]))


def filters_from_query(user: User, query: QueryDict, *, today: date, period: str) -> Filters:
    """Filters from a request's GET parameters; `period` is the page's default period kind."""
    values = page_filters(user, query)
    return Filters(
        period=values["period"] or period,
        on=values["on"] or today,
        team=values["team"],
        territory=values["territory"],
        rep=values["rep"],
        product=values["product"],
        segment=values["segment"],
    )


def _pk(value: Model | None) -> int | None:
    return None if value is None else value.pk


FILTER_NAMES = tuple(field.name for field in fields(Filters))
