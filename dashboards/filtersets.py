"""The query strings of the dashboards and of their deal drill-downs, read by django-filter.

Every id is looked up in the viewer's own scope: an id outside it is a 404, as if the row did
not exist; any other malformed value is a 400 that names the parameter.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import django_filters as df
from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict

import access
from core.formatting import person_name
from core.periods import PERIOD_MONTHS, Period, add_months
from org.models import User
from pipeline.due import due_in_q
from pipeline.models import Deal, DealType, ForecastCategory, SegmentTier, StageKind

ISO_DATE = ["%Y-%m-%d"]


class MonthField(forms.Field):
    """`2026-03` as the calendar month it names."""

    def to_python(self, value: Any) -> Period | None:
        if not value:
            return None
        try:
            start = date.fromisoformat(f"{value}-01")
        except ValueError:
            raise ValidationError("is a month, YYYY-MM.", code="invalid") from None
        return Period(start, add_months(start, 1))


class MonthFilter(df.Filter):
    field_class = MonthField


class IntegerFilter(df.NumberFilter):
    field_class = forms.IntegerField


def _of_viewer(visible: Callable[[User], QuerySet]) -> Callable[[Any], QuerySet]:
    """A queryset callable for django-filter (it passes the request) from an access function."""
    return lambda request: visible(request.user)


class StrictFilterSet(df.FilterSet):
    """A filter set that is valid or raises: Http404 for an id outside the scope, else
    BadRequest naming the first parameter at fault."""

    def cleaned(self) -> dict[str, Any]:
        if self.is_valid():
            return self.form.cleaned_data
        errors = self.form.errors.as_data()
        for name in errors:
            scoped = isinstance(self.filters.get(name), df.ModelChoiceFilter)
            if scoped and str(self.data.get(name, "")).isdigit():
                raise Http404(f"No such {name}.")
        name, found = next(iter(errors.items()))
        raise BadRequest(f"{name} {found[0].messages[0]}")


def _choices(values: Any) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class PageFilterSet(StrictFilterSet):
    """The filters of every dashboard: the period and a cut of the viewer's scope."""

    period = df.ChoiceFilter(choices=_choices(PERIOD_MONTHS))
    on = df.DateFilter(input_formats=ISO_DATE)
    team = df.ModelChoiceFilter(queryset=_of_viewer(access.teams_of_visible_people))
    territory = df.ModelChoiceFilter(queryset=_of_viewer(access.visible_territories))
    rep = df.ModelChoiceFilter(queryset=_of_viewer(access.visible_people))
    product = df.ModelChoiceFilter(queryset=_of_viewer(access.visible_products))
    segment = df.ChoiceFilter(choices=SegmentTier.choices)

    class Meta:
        model = Deal
        fields: list[str] = []


def page_filters(user: User, query: QueryDict) -> dict[str, Any]:
    """The dashboard filters in `query`, checked: {name: value or None}."""
    found = PageFilterSet(query, queryset=Deal.objects.none(), request=_Viewer(user))
    return {name: value or None for name, value in found.cleaned().items()}


class _Viewer:
    """What django-filter passes to a queryset callable: the request, of which only the user is
    read."""

    def __init__(self, user: User) -> None:
        self.user = user


DEAL_MEASURES = {
    "won": "Won deals closed",
    "lost": "Lost deals closed",
    "closed": "Won and lost deals closed",
    "open": "Open deals",
    "created": "Deals created",
    "stuck": "Open deals without a stage change",
    "all": "Deals",
}
CLOSED = {
    "won": [StageKind.WON],
    "lost": [StageKind.LOST],
    "closed": [StageKind.WON, StageKind.LOST],
}
DEAL_TYPES = {"new": "from new customers", "existing": "from existing customers"}
MISSING = {"owner": "without an owner", "territory": "without a territory"}


# Quota attainment bands of the manager's spread chart: (label, upper bound; None: no bound).
BANDS = [
    ("< 50 %", Decimal("0.5")),
    ("50–80 %", Decimal("0.8")),
    ("80–100 %", Decimal("1")),
    ("100–120 %", Decimal("1.2")),
    ("≥ 120 %", None),
]
OWNERS_NAMED = 3  # a drill-down's heading names this many owners, then counts the rest


class DealDrillFilterSet(StrictFilterSet):
    """The conditions of a deal drill-down; `measure` says which deals a figure counts, the
    others narrow them. `owner=3,5` names people; `close_month=none` asks for no date."""

    measure = df.ChoiceFilter(choices=_choices(DEAL_MEASURES), method="_pass")
    month = MonthFilter(method="_pass")
    days = IntegerFilter(min_value=0, method="_pass")
    in_window = df.CharFilter(method="_pass")
    close_month = df.CharFilter(method="_pass")
    stage = df.ModelChoiceFilter(queryset=_of_viewer(access.visible_stages), method="_pass")
    category = df.ChoiceFilter(choices=ForecastCategory.choices, method="_pass")
    type = df.ChoiceFilter(choices=_choices(DEAL_TYPES), method="_pass")
    owner = df.BaseInFilter(method="_pass")
    missing = df.ChoiceFilter(choices=_choices(MISSING), method="_pass")
    # Which attainment band the owners were in, for the heading only (it narrows nothing).
    band = df.ChoiceFilter(choices=[(str(i), label) for i, (label, _) in enumerate(BANDS)],
                           method="_pass")  # fmt: skip

    class Meta:
        model = Deal
        fields: list[str] = []

    def _pass(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        """Every condition is applied in `deal_conditions`, which also says it in words."""
        return queryset


def deal_filters(user: User, query: QueryDict) -> dict[str, Any]:
    """The deal drill-down's parameters, checked, with people and close month resolved."""
    found = DealDrillFilterSet(query, queryset=Deal.objects.none(), request=_Viewer(user))
    values = found.cleaned()
    values["measure"] = values["measure"] or "won"
    values["owner"] = owners_named(user, query.get("owner") or "")
    close_month = values["close_month"]
    if close_month and close_month != "none":
        try:
            values["close_window"] = MonthField().clean(close_month)
        except ValidationError as error:
            raise BadRequest(f"close_month {error.messages[0]}") from None
    return values


def owners_named(user: User, text: str) -> list[int] | None:
    """People the user may see, else a 404; None when none is named."""
    parts = [part for part in text.split(",") if part]
    if not parts:
        return None
    if not all(part.isdigit() for part in parts):
        raise BadRequest("owner is a list of ids.")
    ids = [int(part) for part in parts]
    found = set(access.visible_people(user).filter(pk__in=ids).values_list("pk", flat=True))
    if set(ids) - found:
        raise Http404("No such person.")
    return ids


def deal_conditions(
    values: dict[str, Any], window: Period, label: str, today: date
) -> tuple[Q, list[str]]:
    """The narrowing conditions other than the measure's own, and what they say in words; open
    deals are due in a period as of `today`, as the figures count them."""
    condition, words = Q(), []
    if values["measure"] in ("open", "stuck"):
        if values["in_window"]:
            condition &= due_in_q(window, today)
            words.append(_due_words(label, window, today))
        if values["close_month"] == "none":
            condition &= Q(expected_close_on__isnull=True)
            words.append("without an expected close date")
        elif values["close_month"]:
            condition &= due_in_q(values["close_window"], today)
            words.append(_due_words(values["close_month"], values["close_window"], today))
    if stage := values["stage"]:
        condition &= Q(stage=stage)
        words.append(f"in stage {stage.name}")
    if category := values["category"]:
        condition &= Q(forecast_category=category)
        words.append(f"in forecast category {ForecastCategory(category).label}")
    if kind := values["type"]:
        new = Q(type=DealType.NEW_BUSINESS)
        condition &= new if kind == "new" else ~new
        words.append(DEAL_TYPES[kind])
    if values["owner"] is not None:
        condition &= Q(owner_id__in=values["owner"])
        words.append(owners_words(values["owner"], values.get("band")))
    if missing := values["missing"]:
        condition &= Q(**{f"{missing}__isnull": True})
        words.append(MISSING[missing])
    return condition, words


def owners_words(ids: list[int], band: str | None = None) -> str:
    """Whose rows a drill-down lists, as its heading says it."""
    people = User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username")
    names = [person_name(p.first_name, p.last_name, p.username) for p in people[:OWNERS_NAMED]]
    if len(ids) > OWNERS_NAMED:
        names.append(f"{len(ids) - OWNERS_NAMED} more")
    whose = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if band:
        reps = "the rep" if len(ids) == 1 else f"the {len(ids)} reps"
        return f"of {reps} at {BANDS[int(band)][0]} of quota ({whose})"
    return f"owned by {whose}"


def _due_words(label: str, window: Period, today: date) -> str:
    if window.start <= today < window.end:
        return f"due in {label} (expected to close in it, or overdue)"
    if window.end <= today:
        return f"due in {label} (none: a deal past its expected close date is due now)"
    return f"expected to close in {label}"
