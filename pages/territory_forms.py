"""Forms for the territory pages: fields and widgets only; the services hold the rules."""

from django import forms

from org.models import Role, User
from pipeline.models import Account
from planning.models import AssignmentRule, IcpCriterion
from territories.models import Territory, TerritoryAssignment

DATE = forms.DateInput(attrs={"type": "date"})


class TerritoryForm(forms.ModelForm):
    class Meta:
        model = Territory
        fields = ["name", "kind", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Territory.objects.filter(closed_on__isnull=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class CloseForm(forms.Form):
    closed_on = forms.DateField(widget=DATE, help_text="First day the territory is closed.")


class RepAssignForm(forms.ModelForm):
    class Meta:
        model = TerritoryAssignment
        fields = ["rep", "start", "end", "capacity"]
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = User.objects.filter(role=Role.REP, is_active=True)


class AssignmentEndForm(forms.Form):
    assignment = forms.ModelChoiceField(TerritoryAssignment.objects.all())
    end = forms.DateField(widget=DATE)

    def __init__(self, *args, territory: Territory, **kwargs):
        super().__init__(*args, **kwargs)
        assignment = self.fields["assignment"]
        assert isinstance(assignment, forms.ModelChoiceField)
        assignment.queryset = territory.assignments.all()


class RuleForm(forms.ModelForm):
    class Meta:
        model = AssignmentRule
        fields = [
            "name",
            "priority",
            "active",
            "countries",
            "region",
            "industries",
            "min_employees",
            "max_employees",
            "min_revenue",
            "max_revenue",
            "accounts",
            "territory",
            "owner",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.filter(closed_on__isnull=True)
        self.fields["owner"].queryset = User.objects.filter(role=Role.REP, is_active=True)
        self.fields["accounts"].queryset = Account.objects.order_by("name")
        self.fields["accounts"].required = False


class IcpCriterionForm(forms.ModelForm):
    class Meta:
        model = IcpCriterion
        fields = ["attribute", "values", "minimum", "maximum", "weight"]


class ReassignDateForm(forms.Form):
    on = forms.DateField(widget=DATE, help_text="The day the accounts move (today or earlier).")


class PlanForm(forms.Form):
    name = forms.CharField(max_length=100)


class PlanSetForm(forms.Form):
    account = forms.ModelChoiceField(Account.objects.order_by("name"))
    territory = forms.ModelChoiceField(
        Territory.objects.filter(closed_on__isnull=True), required=False
    )
    owner = forms.ModelChoiceField(
        User.objects.filter(role=Role.REP, is_active=True), required=False
    )


class ActivateForm(forms.Form):
    on = forms.DateField(
        widget=DATE, help_text="Today or earlier applies it now; later, on that day."
    )
