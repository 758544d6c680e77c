"""Forms of the quota planning pages: they read and type the input; the services decide."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from core.periods import period_containing
from org.models import Team, User
from planning.services.quotas import Method
from quotas.models import PeriodKind, QuotaMetric, RampSchedule
from quotas.selectors import plan_period
from quotas.services import QuotaEntry
from territories.models import Territory


class PeriodForm(forms.Form):
    period = forms.ChoiceField(choices=PeriodKind.choices, initial=PeriodKind.QUARTER)
    start = forms.DateField(help_text="ISO date: the first day of the month, quarter or year.")
    metric = forms.ChoiceField(choices=QuotaMetric.choices, initial=QuotaMetric.BOOKINGS)

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean returns the cleaned data
        if data.get("period") and data.get("start"):
            try:
                plan_period(data["period"], data["start"])
            except ValueError as error:
                self.add_error("start", str(error))
        return data

    @classmethod
    def current(cls, data) -> "PeriodForm":
        """The form from the query string, this fiscal quarter's bookings when it is empty."""
        if not data.get("start"):
            start = period_containing(timezone.localdate(), PeriodKind.QUARTER).start
            data = {"period": PeriodKind.QUARTER, "metric": QuotaMetric.BOOKINGS, "start": start}
        return cls(data)


class GridShown(forms.Form):
    """Which rows of the quota plan to show: everything, the teams, the territories, or one."""

    show = forms.ChoiceField(required=False, label="Show")

    def __init__(self, data, *, teams: QuerySet[Team], territories: QuerySet[Territory]) -> None:
        super().__init__(data)
        self.teams, self.territories = teams, territories
        show = self.fields["show"]
        assert isinstance(show, forms.ChoiceField)
        show.choices = [
            ("", "Every team and territory"), ("teams", "Teams"), ("territories", "Territories"),
            ("Team", [(f"team-{t.pk}", t.name) for t in teams.order_by("name")]),
            ("Territory", [(f"territory-{t.pk}", t.name) for t in territories.order_by("name")]),
        ]  # fmt: skip

    def shown(self) -> tuple[QuerySet[Team], QuerySet[Territory]]:
        """The teams and territories to list (all of them when the choice is not valid)."""
        show = self.cleaned_data.get("show", "") if self.is_valid() else ""
        teams, territories = self.teams, self.territories
        if show == "teams" or show.startswith("team-"):
            territories = territories.none()
        if show == "territories" or show.startswith("territory-"):
            teams = teams.none()
        if show.startswith("team-"):
            teams = teams.filter(pk=show.removeprefix("team-"))
        if show.startswith("territory-"):
            territories = territories.filter(pk=show.removeprefix("territory-"))
        return teams, territories


class UploadForm(PeriodForm):
    file = forms.FileField(help_text="CSV with the header assignee_type,assignee,amount.")

    def clean_file(self) -> str:
        try:
            return self.cleaned_data["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


def _numbers(text: str) -> list[Decimal]:
    try:
        return [Decimal(part.strip()) for part in text.split(",") if part.strip()]
    except InvalidOperation:
        raise forms.ValidationError("Give numbers separated by commas.") from None


class AllocationForm(PeriodForm):
    assignee = forms.ChoiceField(help_text="The team or territory whose reps share the total.")
    total = forms.DecimalField(min_value=0, decimal_places=2, max_digits=14)
    method = forms.ChoiceField(choices=Method.CHOICES, initial=Method.EVEN)
    over_assign = forms.DecimalField(
        label="Over-assignment %", min_value=0, decimal_places=2, max_digits=6, initial=0,
        help_text="Reps together carry the total plus this percent.",
    )  # fmt: skip
    ramp = forms.ModelChoiceField(RampSchedule.objects.all(), required=False)
    weights = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Custom weights, one 'username=weight' a line.",
    )  # fmt: skip
    seasonality = forms.CharField(
        required=False,
        help_text="Twelve weights, January to December, separated by commas; "
        "empty: learned from the reps' last two years.",
    )

    def __init__(self, *args, teams: QuerySet[Team], territories: QuerySet[Territory], **kwargs):
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)
        assignee.choices = [
            ("Teams", [(f"team:{t.pk}", t.name) for t in teams]),
            ("Territories", [(f"territory:{t.pk}", t.name) for t in territories]),
        ]
        self.places = {"team": teams, "territory": territories}

    def clean_assignee(self) -> dict:
        kind, _, pk = self.cleaned_data["assignee"].partition(":")
        known = kind in self.places and pk.isdigit()
        found = self.places[kind].filter(pk=pk).first() if known else None
        if found is None:
            raise forms.ValidationError("Choose a team or territory.")
        return {kind: found}

    def clean_weights(self) -> dict[int, Decimal]:
        weights = {}
        for line in self.cleaned_data["weights"].splitlines():
            if not line.strip():
                continue
            name, _, value = line.partition("=")
            rep = User.objects.filter(username=name.strip()).first()
            numbers = _numbers(value)
            if rep is None or len(numbers) != 1:
                raise forms.ValidationError(f"Cannot read {line.strip()!r} as username=weight.")
            weights[rep.pk] = numbers[0]
        return weights

    def clean_seasonality(self) -> dict[int, Decimal] | None:
        numbers = _numbers(self.cleaned_data["seasonality"])
        if not numbers:
            return None
        if len(numbers) != 12:
            raise forms.ValidationError(f"Give twelve weights, not {len(numbers)}.")
        return dict(zip(range(1, 13), numbers, strict=True))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["period"], "start": data["start"], "metric": data["metric"],
            "total": data["total"], "method": data["method"], "weights": data["weights"],
            "ramp": data["ramp"], "over_assign": data["over_assign"], **data["assignee"],
        }  # fmt: skip


GRID_FIELDS = {"rep": "people", "team": "teams", "territory": "territories"}


def grid_entries(data, **scoped: QuerySet) -> tuple[list[QuotaEntry], list[tuple[int, str]]]:
    """The grid's filled cells (`rep-<id>`, `team-<id>`, `territory-<id>`) as quota entries, and
    the cells that cannot be read, numbered in the order they came. `scoped` gives the people,
    teams and territories the user may set."""
    entries, problems = [], []
    cells = [(key, value.strip()) for key, value in data.items() if "-" in key and value.strip()]
    for number, (key, value) in enumerate(cells, 1):
        field, _, pk = key.partition("-")
        rows = scoped.get(GRID_FIELDS.get(field, ""))
        assignee = rows.filter(pk=pk).first() if rows is not None and pk.isdigit() else None
        if assignee is None:
            continue  # not a cell of the grid
        try:
            entries.append(QuotaEntry(assignee, Decimal(value.replace(",", "")), number))
        except InvalidOperation:
            problems.append((number, f"{assignee}: {value!r} is not a number."))
    return entries, problems
