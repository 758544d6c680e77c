"""Forms of the plan designer: the plan, its components (each with its rate tiers or bonus
thresholds, nested formsets) and its assignments."""

from typing import cast

from django import forms
from django.core.validators import RegexValidator
from django.forms import BaseFormSet, formset_factory

from compensation.models import Base, ComponentKind, PayPeriod
from org.models import User
from pipeline.models import Product
from quotas.models import QuotaMetric


def _number(digits: int, places: int, **options) -> forms.DecimalField:
    return forms.DecimalField(max_digits=digits, decimal_places=places, min_value=0, **options)


def percent_field(**options) -> forms.DecimalField:
    return _number(7, 2, **options)


def rate_field(**options) -> forms.DecimalField:
    return _number(9, 4, **options)


def money_field(**options) -> forms.DecimalField:
    return _number(14, 2, **options)


class PlanForm(forms.Form):
    name = forms.CharField(max_length=100)
    start = forms.DateField(label="In force from", help_text="YYYY-MM-DD")
    end = forms.DateField(required=False, label="In force until", help_text="Empty: no end.")
    period = forms.ChoiceField(choices=PayPeriod.choices, label="Pays per")
    quota_metric = forms.ChoiceField(choices=QuotaMetric.choices, label="Attainment measured on")
    currency = forms.CharField(
        max_length=3, validators=[RegexValidator("^[A-Z]{3}$", "Three capital letters.")]
    )
    margin_percent = percent_field(
        max_value=100, initial=0, label="Margin %", help_text="For margin bases."
    )
    cap = money_field(required=False, label="Plan cap per period")
    draw = money_field(required=False, label="Draw per period")
    draw_recoverable = forms.BooleanField(required=False, initial=True, label="Draw recoverable")
    clawback_days = forms.IntegerField(
        min_value=0, initial=0, label="Clawback window (days)", help_text="0 never claws back."
    )
    team_override = forms.BooleanField(
        required=False, label="Manager override (measures the team they manage)"
    )
    effective = forms.DateField(
        required=False,
        label="Change holds from",
        help_text="A plan already on statements changes from this day, as a new version.",
    )


class RowForm(forms.Form):
    """A row of a component's table; its inputs say which row they are in to screen readers."""

    row_name = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        number = (self.prefix or "").rsplit("-", 1)[-1]
        shown = str(int(number) + 1) if number.isdigit() else ""
        for field in self.fields.values():
            label = f"{self.row_name} {shown}, {field.label}"
            field.widget.attrs |= {"aria-label": label, "inputmode": "decimal"}


class TierForm(RowForm):
    row_name = "Tier row"

    floor = percent_field(required=False, label="From attainment %")
    rate = rate_field(required=False, label="Rate %")

    def clean(self) -> dict:
        data = super().clean() or {}
        if (data.get("floor") is None) != (data.get("rate") is None) and not self.errors:
            raise forms.ValidationError("give both the attainment % and the rate %.")
        return data


class ThresholdForm(RowForm):
    row_name = "Threshold"

    attainment = percent_field(required=False, label="At attainment %")
    amount = money_field(required=False, label="Pays")

    def clean(self) -> dict:
        data = super().clean() or {}
        if (data.get("attainment") is None) != (data.get("amount") is None) and not self.errors:
            raise forms.ValidationError("give both the attainment % and the amount.")
        return data


TierFormSet = formset_factory(TierForm, extra=3)
ThresholdFormSet = formset_factory(ThresholdForm, extra=2)


KINDS = [
    (ComponentKind.COMMISSION, "Commission (rate tiers)"),
    (ComponentKind.SPIF, "SPIF (per matching deal)"),
    (ComponentKind.BONUS, "Bonus at attainment thresholds"),
]


class ComponentForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=KINDS, initial=ComponentKind.COMMISSION)
    base = forms.ChoiceField(
        choices=[("", "—"), *Base.choices], required=False, initial=Base.BOOKINGS, label="Pays on"
    )
    cap = money_field(required=False, label="Cap per period")
    spif_product = forms.ModelChoiceField(
        queryset=Product.objects.order_by("name"), required=False, label="Product"
    )
    spif_from = forms.DateField(required=False, label="Deals closed from")
    spif_to = forms.DateField(required=False, label="Deals closed until")
    spif_min_amount = money_field(required=False, label="Deals of at least")
    spif_fixed = money_field(required=False, label="Pays per deal")
    spif_percent = rate_field(required=False, label="Or pays % of the deal")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else None
        self.tiers = TierFormSet(
            data, initial=self.initial.get("tiers"), prefix=f"{self.prefix}-tiers"
        )
        self.thresholds = ThresholdFormSet(
            data, initial=self.initial.get("thresholds"), prefix=f"{self.prefix}-thresholds"
        )

    def has_changed(self) -> bool:
        return super().has_changed() or self.tiers.has_changed() or self.thresholds.has_changed()

    def rows(self, name: str) -> list[tuple]:
        """The filled rows of the nested table `name` (tiers or thresholds), in order; none
        when the component is of another kind."""
        kind = ComponentKind.COMMISSION if name == "tiers" else ComponentKind.BONUS
        if self.cleaned_data.get("kind") != kind:
            return []
        nested = self.tiers if name == "tiers" else self.thresholds
        pairs = [tuple(f.cleaned_data.get(k) for k in f.fields) for f in nested.forms]
        return [p for p in pairs if None not in p]

    def nested_valid(self) -> bool:
        kind = self.cleaned_data.get("kind")
        if kind == ComponentKind.COMMISSION:
            return self.tiers.is_valid()
        return kind != ComponentKind.BONUS or self.thresholds.is_valid()


class BaseComponentFormSet(BaseFormSet):
    def live_forms(self) -> list[ComponentForm]:
        """The components to save: neither removed nor left blank."""
        return [f for f in self.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return all([valid, *(f.nested_valid() for f in self.live_forms() if f.is_valid())])


ComponentFormSet = cast(
    type[BaseComponentFormSet],
    formset_factory(ComponentForm, formset=BaseComponentFormSet, extra=0, can_delete=True),
)


class AssignmentForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    start = forms.DateField(required=False, label="From", help_text="Empty: the plan's start.")
    end = forms.DateField(required=False, label="Until")

    def __init__(self, *args, reps=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rep = self.fields["rep"]
        assert isinstance(rep, forms.ModelChoiceField)
        rep.queryset = reps if reps is not None else User.objects.none()


AssignmentFormSet = formset_factory(AssignmentForm, extra=2, can_delete=True)
