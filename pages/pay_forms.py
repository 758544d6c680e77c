"""Forms of the pay pages: raising and resolving a dispute, running and reopening a period."""

from django import forms

from compensation.models import DisputeKind, PayPeriod


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
