"""Forms of the pay pages: raising and resolving a dispute, running and reopening a period."""

from decimal import Decimal, InvalidOperation

from django import forms

from compensation.models import Base, DisputeKind, PayPeriod
from org.models import User
from pipeline.models import Product
from quotas.models import QuotaMetric


class DisputeRaiseForm(forms.Form):
    kind = forms.ChoiceField(choices=DisputeKind.choices, label="What is wrong")
    line = forms.IntegerField(required=False, widget=forms.HiddenInput)
    expected = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        label="What you expected",
        help_text="The pay you expected; for a wrong credit, the credit % you expected.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Details"
    )


class DisputeResolveForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        label="Adjustment",
        help_text="Paid on the rep's next statement; empty: the difference the rep claims.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Note to the rep")


class RunForm(forms.Form):
    period = forms.ChoiceField(choices=PayPeriod.choices)
    start = forms.DateField(
        label="Starting", help_text="The first day of the month or fiscal quarter (YYYY-MM-DD)."
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Why reopen the period"
    )


TIER_ROWS = 6


class PlanDesignForm(forms.Form):
    name = forms.CharField(max_length=100)
    start = forms.DateField(label="In force from", help_text="YYYY-MM-DD")
    period = forms.ChoiceField(choices=PayPeriod.choices, label="Pays per")
    quota_metric = forms.ChoiceField(choices=QuotaMetric.choices, label="Attainment measured on")
    base = forms.ChoiceField(choices=Base.choices, label="Commission pays on")
    cap = forms.DecimalField(required=False, min_value=0, decimal_places=2, label="Cap per period")
    draw = forms.DecimalField(
        required=False, min_value=0, decimal_places=2, label="Draw per period"
    )
    draw_recoverable = forms.BooleanField(required=False, initial=True, label="Draw recoverable")
    clawback_days = forms.IntegerField(
        min_value=0, initial=0, label="Clawback window (days)", help_text="0 never claws back."
    )
    spif_product = forms.ModelChoiceField(
        queryset=Product.objects.order_by("name"), required=False, label="SPIF product"
    )
    spif_fixed = forms.DecimalField(
        required=False, min_value=0, decimal_places=2, label="SPIF per deal"
    )
    spif_from = forms.DateField(required=False, label="SPIF deals closed from")
    spif_to = forms.DateField(required=False, label="SPIF deals closed until")
    reps = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, label="Assign reps"
    )
    effective = forms.DateField(
        required=False,
        label="Change holds from",
        help_text="A plan already on statements changes from this day, as a new version.",
    )

    def __init__(self, *args, reps=None, tiers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        reps_field = self.fields["reps"]
        assert isinstance(reps_field, forms.ModelMultipleChoiceField)
        reps_field.queryset = reps if reps is not None else User.objects.none()
        self.tier_rows = tiers or []
        self.tiers: list[tuple[Decimal, Decimal]] = []

    def clean(self) -> dict:
        data = super().clean() or {}
        problems = []
        for row, (floor, rate) in enumerate(self.tier_rows, 1):
            if not floor.strip() and not rate.strip():
                continue
            try:
                self.tiers.append((Decimal(floor), Decimal(rate)))
            except InvalidOperation:
                problems.append(f"Row {row}: {floor!r} % and {rate!r} % are not both numbers.")
        if problems:
            self.add_error(None, problems)
        return data

    def tier_table(self) -> list[tuple[str, str]]:
        rows = list(self.tier_rows)
        return rows + [("", "")] * (TIER_ROWS - len(rows))
