from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from core.admin import ReadOnlyAdmin
from pipeline.accounts import account_assign
from pipeline.locking import LOCKED, closed_deal_change, locked_changes
from pipeline.models import (
    Account,
    Activity,
    Deal,
    DealChange,
    ImportRun,
    Product,
    Stage,
    Subscription,
    SurveyResponse,
)

PERSON_SEARCH = ("owner__first_name", "owner__last_name")


class AccountForm(forms.ModelForm):
    def clean_territory(self):
        territory = self.cleaned_data.get("territory")
        if territory is not None and territory.is_closed(timezone.localdate()):
            raise forms.ValidationError(f"{territory} is closed from {territory.closed_on}.")
        return territory


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "industry", "segment", "country", "employees", "territory", "owner")
    list_filter = ("segment", "industry", "territory", "country")
    search_fields = ("name", "external_id", *PERSON_SEARCH)
    list_select_related = ("territory", "owner")
    autocomplete_fields = ("parent", "territory", "owner")
    form = AccountForm

    def save_model(self, request, obj, form, change) -> None:
        """A new territory or owner goes through the service that keeps the account's history."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        territory, owner = obj.territory, obj.owner
        before = Account.objects.values("territory", "owner").get(pk=obj.pk)
        obj.territory_id, obj.owner_id = before["territory"], before["owner"]
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            account_assign(
                account=obj, territory=territory, owner=owner, on=timezone.localdate(),
                source="admin", actor=request.user,
            )  # fmt: skip
            obj.refresh_from_db()


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "family", "list_price", "currency", "billing")
    list_filter = ("family", "billing")
    search_fields = ("name", "family")


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "probability", "kind", "forecast_category")
    list_editable = ("order", "probability", "forecast_category")
    list_filter = ("kind",)


class DealChangeInline(admin.TabularInline):
    model = DealChange
    extra = 0
    can_delete = False
    fields = (
        "changed_at",
        "changed_by",
        "changed_fields",
        "stage",
        "amount",
        "expected_close_on",
        "forecast_category",
        "owner",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DealForm(forms.ModelForm):
    """Only admins reach the admin site (`access.can_use_admin_site`); even they give a reason
    to change what a won or lost deal was worth, when, for whom and where."""

    reason = forms.CharField(
        required=False,
        max_length=500,
        help_text="Required to change the amount, stage, close date, owner, account or "
        "territory of a won or lost deal; kept in the audit log.",
    )

    def clean(self):
        data = super().clean()
        values = {name: data.get(name) for name in self.changed_data if name in LOCKED}
        self.locked = locked_changes(self.instance, values)
        if self.locked and not data.get("reason", "").strip():
            why = f"This deal is {self.instance.status}: give a reason to change its "
            self.add_error("reason", why + ", ".join(self.locked) + ".")
        return data


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    form = DealForm
    list_display = (
        "name",
        "account",
        "owner",
        "stage",
        "amount",
        "currency",
        "expected_close_on",
        "closed_on",
        "forecast_category",
    )
    list_filter = ("status", "stage", "forecast_category", "type", "product", "territory")
    search_fields = ("name", "external_id", "account__name", *PERSON_SEARCH)
    list_select_related = ("account", "owner", "stage")
    autocomplete_fields = ("account", "owner", "product", "territory")
    date_hierarchy = "created_on"
    readonly_fields = ("status",)
    inlines = [DealChangeInline]

    def save_model(self, request, obj, form, change) -> None:
        if change and form.locked:
            closed_deal_change(obj, {}, by=request.user, reason=form.cleaned_data["reason"])
        else:
            obj.save(changed_by=request.user)


@admin.register(DealChange)
class DealChangeAdmin(ReadOnlyAdmin):
    list_display = ("deal", "changed_at", "changed_by", "changed_fields", "stage", "amount")
    list_filter = ("stage",)
    search_fields = ("deal__name", "deal__external_id")
    list_select_related = ("deal", "changed_by", "stage")
    date_hierarchy = "changed_at"


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("kind", "rep", "occurred_at", "account", "deal", "outcome")
    list_filter = ("kind",)
    search_fields = ("rep__first_name", "rep__last_name", "account__name", "outcome")
    list_select_related = ("rep", "account", "deal")
    autocomplete_fields = ("rep", "account", "deal")
    date_hierarchy = "occurred_at"


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("account", "product", "mrr", "currency", "start", "end")
    list_filter = ("product",)
    search_fields = ("account__name",)
    list_select_related = ("account", "product")
    autocomplete_fields = ("account", "product")
    date_hierarchy = "start"


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("account", "kind", "score", "responded_on")
    list_filter = ("kind", "score")
    search_fields = ("account__name", "comment")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)
    date_hierarchy = "responded_on"


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    """The import log, read-only: runs are written by the import itself and kept as a record."""

    list_display = (
        "started_at",
        "user",
        "file_name",
        "sha256",
        "kind",
        "dry_run",
        "status",
        "rows",
        "created",
        "updated",
        "unchanged",
        "error_count",
    )
    list_filter = ("status", "kind", "dry_run")
    search_fields = ("file_name", "sha256", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "started_at"
