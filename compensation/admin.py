"""Sales operations' screens: plans, assignments, credit splits, statements and disputes.

Statements are built, closed and adjusted only through the services, so every change has its
who and why; the screens here call them.
"""

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from compensation.models import (
    BonusThreshold,
    CompPlan,
    DealCredit,
    DealSplit,
    Dispute,
    DisputeStatus,
    PlanAssignment,
    PlanComponent,
    RateTier,
    Statement,
    StatementLine,
)
from compensation.services import (
    deal_credit_set,
    dispute_resolve,
    statement_adjust,
    statements_build,
    statements_close,
)
from compensation.services.credits import deal_credit_check
from compensation.services.disputes import dispute_default_adjustment
from compensation.services.statements import statement_adjust_check
from core.admin import ReadOnlyAdmin

REP_SEARCH = ("rep__first_name", "rep__last_name", "rep__username")


class ComponentInline(admin.TabularInline):
    model = PlanComponent
    fields = ("name", "kind", "order", "base", "cap")
    show_change_link = True
    extra = 0


class AssignmentInline(admin.TabularInline):
    model = PlanAssignment
    autocomplete_fields = ("rep",)
    extra = 0


@admin.register(CompPlan)
class CompPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "period", "start", "end", "quota_metric", "cap", "draw")
    list_filter = ("period", "quota_metric")
    search_fields = ("name",)
    inlines = [ComponentInline, AssignmentInline]


class RateTierInline(admin.TabularInline):
    model = RateTier
    extra = 0


class ThresholdInline(admin.TabularInline):
    model = BonusThreshold
    extra = 0


@admin.register(PlanComponent)
class PlanComponentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "base", "cap")
    list_filter = ("kind", "plan")
    search_fields = ("name", "plan__name")
    list_select_related = ("plan",)
    autocomplete_fields = ("plan", "spif_product")
    inlines = [RateTierInline, ThresholdInline]


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(admin.ModelAdmin):
    list_display = ("rep", "plan", "start", "end")
    list_filter = ("plan",)
    search_fields = (*REP_SEARCH, "plan__name")
    list_select_related = ("rep", "plan")
    autocomplete_fields = ("rep", "plan")


class CreditFormSet(BaseInlineFormSet):
    def shares(self) -> dict:
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data]
        return {row["rep"]: row["percent"] for row in kept if not row.get("DELETE")}

    def clean(self) -> None:
        super().clean()
        if not any(self.errors):
            deal_credit_check(self.shares())


class CreditInline(admin.TabularInline):
    model = DealCredit
    formset = CreditFormSet
    autocomplete_fields = ("rep",)
    extra = 0


@admin.register(DealSplit)
class DealSplitAdmin(admin.ModelAdmin):
    """Split a deal's credit between reps (no rows: the owner gets 100 %)."""

    list_display = ("name", "owner", "amount", "status", "closed_on")
    list_filter = ("status",)
    search_fields = ("name", "external_id", "owner__first_name", "owner__last_name")
    list_select_related = ("owner",)
    fields = ("name", "owner", "amount", "currency", "status", "closed_on")
    readonly_fields = fields
    inlines = [CreditInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        pass  # the deal itself is read-only here

    def save_related(self, request, form, formsets, change) -> None:
        deal_credit_set(deal=form.instance, shares=formsets[0].shares())


class LineInline(admin.TabularInline):
    model = StatementLine
    fields = (
        *("position", "kind", "component", "deal_name", "credit", "base", "tier", "rate"),
        *("amount", "explanation", "created_by", "reason"),
    )
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("rep", "period", "start", "plan", "attainment", "total", "status")
    list_filter = ("status", "period", "plan")
    search_fields = REP_SEARCH
    list_select_related = ("rep", "plan")
    date_hierarchy = "start"
    readonly_fields = [field.name for field in Statement._meta.fields]
    inlines = [LineInline]
    actions = ["rebuild", "close"]

    def _by_period(self, queryset) -> dict:
        groups = defaultdict(set)
        for statement in queryset:
            groups[statement.period, statement.start].add(statement.rep_id)
        return groups

    @admin.action(description="Rebuild the selected open statements from the data")
    def rebuild(self, request, queryset) -> None:
        for (period, start), reps in self._by_period(queryset).items():
            summary = statements_build(period=period, start=start, rep_ids=reps)
            self.message_user(request, f"{period} {start}: {summary.as_dict()}")

    @admin.action(description="Close (lock) the selected statements")
    def close(self, request, queryset) -> None:
        for (period, start), reps in self._by_period(queryset).items():
            summary = statements_close(period=period, start=start, rep_ids=reps, by=request.user)
            self.message_user(request, f"{period} {start}: {summary.as_dict()}")


class AdjustmentForm(forms.ModelForm):
    class Meta:
        model = StatementLine
        fields = ("statement", "deal", "amount", "reason")

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # ModelForm.clean returns cleaned_data
        if all(data.get(name) is not None for name in ("statement", "amount", "reason")):
            statement_adjust_check(
                statement=data["statement"], amount=data["amount"], reason=data["reason"]
            )
        return data


@admin.register(StatementLine)
class StatementLineAdmin(admin.ModelAdmin):
    """Lines are read-only; adding one adds an adjustment to a closed statement."""

    list_display = ("statement", "position", "kind", "component", "deal_name", "amount")
    list_filter = ("kind",)
    search_fields = ("deal_name", "statement__rep__first_name", "statement__rep__last_name")
    list_select_related = ("statement__rep",)
    autocomplete_fields = ("statement", "deal")
    form = AdjustmentForm

    def get_fields(self, request, obj=None):
        return AdjustmentForm.Meta.fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else [field.name for field in StatementLine._meta.fields]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        line = statement_adjust(
            statement=data["statement"],
            amount=data["amount"],
            reason=data["reason"],
            by=request.user,
            deal=data["deal"],
        )
        obj.pk, obj.position, obj.kind = line.pk, line.position, line.kind


class ResolveForm(forms.ModelForm):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    note = forms.CharField(widget=forms.Textarea)
    amount = forms.DecimalField(
        required=False,
        decimal_places=2,
        help_text="Adjustment paid on acceptance; empty: expected minus actual.",
    )

    class Meta:
        model = Dispute
        fields = ()

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # ModelForm.clean returns cleaned_data
        if data.get("decision") != "accept":
            return data
        amount = data.get("amount")
        if amount is None:
            amount = dispute_default_adjustment(self.instance)
        if amount is None:
            raise ValidationError({"amount": "Give the amount to pay for this dispute."})
        statement_adjust_check(
            statement=self.instance.statement, amount=amount, reason=data.get("note") or "-"
        )
        return data


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """Open disputes are resolved here: an accepted one is paid on the next statement."""

    list_display = ("statement", "kind", "expected", "actual", "status", "raised_by", "raised_at")
    list_filter = ("status", "kind")
    search_fields = ("raised_by__first_name", "raised_by__last_name", "description")
    list_select_related = ("statement__rep", "raised_by")
    readonly_fields = [
        *("statement", "line", "kind", "deal", "expected", "actual", "description"),
        *("raised_by", "raised_at", "status", "resolved_by", "resolved_at", "resolution_note"),
        "adjustment",
    ]
    form = ResolveForm

    def get_fields(self, request, obj=None):
        decide = ["decision", "note", "amount"] if self.has_change_permission(request, obj) else []
        return [*self.readonly_fields, *decide]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        still_open = obj is None or obj.status == DisputeStatus.OPEN
        return still_open and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        dispute_resolve(
            dispute=obj,
            by=request.user,
            accept=data["decision"] == "accept",
            note=data["note"],
            amount=data.get("amount"),
        )
        messages.success(request, "The dispute is resolved.")
