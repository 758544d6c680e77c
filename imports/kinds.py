"""What can be imported: per kind, the model, its upsert key, fields, aliases and hooks."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Model
from django.utils import timezone

from imports.parse import parse_moment
from org.models import User
from org.services import reporting_lines_sync
from pipeline.history import deal_history_add
from pipeline.models import (
    Account,
    Activity,
    Deal,
    DealChange,
    Product,
    Stage,
    StageKind,
    Subscription,
)
from pipeline.models import SurveyResponse as Survey
from territories.models import Territory, TerritoryAssignment


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[Model]
    key: tuple[str, ...]  # the upsert key: fields whose values find the existing row
    fields: tuple[str, ...]  # model fields a column may feed
    required: tuple[str, ...] = ()  # fields a mapping must feed (a column or a default)
    extra: dict[str, object] = field(default_factory=dict)  # pseudo-field -> "str", "date", model
    self_refs: tuple[str, ...] = ()  # set after the chunk is written: rows may point at each other
    creatable: tuple[str, ...] = ()  # references that `create_missing` may create
    aliases: dict[str, str] = field(default_factory=dict)  # common export header -> field
    options: tuple[str, ...] = ()
    prepare: Callable | None = None  # (rows, mapping) -> None, after references are resolved
    after_write: Callable | None = None  # (rows, mapping) -> rows it changed

    @property
    def all_fields(self) -> tuple[str, ...]:
        return (*self.fields, *self.extra)


HISTORY_FIELDS = ("deal", "deal_name", "account", "field", "old", "new", "changed_at")


def username_for(full_name: str) -> str:
    """`Anna Snelling` -> `anna.snelling`: a login derived from a name, as the demo does."""
    ascii_name = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9.@+_-]", "", re.sub(r"\s+", ".", ascii_name.strip().lower()))


def split_name(full_name: str) -> tuple[str, str]:
    first, _, last = full_name.strip().partition(" ")
    return first, last.strip()


def _prepare_people(rows, mapping) -> None:
    for row in rows:
        values = row.values
        full_name = values.pop("full_name", "") or ""
        if full_name and not values.get("first_name") and not values.get("last_name"):
            values["first_name"], values["last_name"] = split_name(full_name)
        if not values.get("username"):
            name = full_name or f"{values.get('first_name', '')} {values.get('last_name', '')}"
            values["username"] = username_for(name)
        if not values["username"]:
            row.fail("username", "", "A person needs a username or a name.")


def _after_people(rows, mapping) -> set:
    """Each rep in the territory named on their row, from `assignment_start` (or hire date);
    a change of manager or team from `effective_from` (default: the import day); a team
    created without a leader is led by the manager of its members."""
    changed = set()
    for row in rows:
        team = row.obj.team
        if team is not None and team.manager_id is None and row.obj.manager_id is not None:
            team.manager_id = row.obj.manager_id
            team.save(update_fields=["manager"])
    start = _option_date(mapping, "assignment_start")
    reporting_lines_sync([row.obj for row in rows], _option_date(mapping, "effective_from"))
    for row in rows:
        territory = row.values.get("territory")
        if territory is None:
            continue
        rep = row.obj
        if TerritoryAssignment.objects.filter(rep=rep, territory=territory).exists():
            continue
        begins = rep.hired_on or start
        TerritoryAssignment.objects.create(rep=rep, territory=territory, start=begins)
        changed.add(row.line)
    return changed


def _option_date(mapping, name: str) -> date:
    value = mapping.options.get(name)
    return date.fromisoformat(str(value)) if value else timezone.localdate()


def _prepare_deals(rows, mapping) -> None:
    by_owner: dict[int, list[TerritoryAssignment]] = {}
    kept: dict[str | None, Territory | None] = {}
    if mapping.options.get("territory_from_owner"):
        owners = {row.values["owner"].pk for row in rows if row.values.get("owner")}
        spans = TerritoryAssignment.objects.filter(rep_id__in=owners).order_by("start")
        for span in spans:
            by_owner.setdefault(span.rep_id, []).append(span)
        kept = _closed_territories(rows)
    for row in rows:
        values = row.values
        if not values.get("name") and values.get("external_id"):
            values["name"] = values["external_id"]
        close = values.pop("close_date", None)
        stage = values.get("stage")
        if "close_date" in mapping.fields and stage is not None:
            closed = stage.kind != StageKind.OPEN
            target = "closed_on" if closed else "expected_close_on"
            values[target], row.sources[target] = close, "close_date"
            if not closed:  # a closed deal keeps the expected date it had
                values.setdefault("closed_on", None)
        owner = values.get("owner")
        if owner is not None and owner.pk in by_owner and not values.get("territory"):
            if values.get("external_id") in kept and _closed(values):
                values["territory"] = kept[values["external_id"]]
            else:
                values["territory"] = _territory_on(by_owner[owner.pk], values.get("created_on"))


DATE_ENTERED = re.compile(r'^Date entered "?(?P<stage>.+?)(?: \([^()]*\))?"?$', re.IGNORECASE)


def _after_deals(rows, mapping) -> set:
    """HubSpot's `Date entered "<stage> (<pipeline>)"` columns (with `date_entered: true`):
    each deal's stage path, written as its history (`deal_history_add`)."""
    if not mapping.options.get("date_entered") or not rows:
        return set()
    columns = {c: m["stage"] for c in rows[0].cells if (m := DATE_ENTERED.match(c.strip()))}
    stages = dict(Stage.objects.filter(name__in=columns.values()).values_list("name", "pk"))
    steps, lines = [], {}
    for row in rows:
        for column, name in columns.items():
            text = row.cells[column].strip()
            if not text:
                continue
            try:
                at = parse_moment(text, mapping.date_format)
            except ValueError as error:
                row.fail(column, text, str(error))
                continue
            if name not in stages:
                row.fail(column, text, f"No stage is called {name!r}.")
                continue
            steps.append((row.obj.pk, at, {"stage_id": stages[name]}))
            lines[(row.obj.pk, at)] = row.line
    added = deal_history_add(steps)
    return {lines[step] for step, fresh in added.items() if fresh}


def _closed(values: dict) -> bool:
    stage = values.get("stage")
    return stage is not None and stage.kind != StageKind.OPEN


def _closed_territories(rows) -> dict[str | None, Territory | None]:
    """{external id: territory} of the deals in `rows` already closed: a deal closed and still
    closed keeps the territory it was credited to, whoever owns it now."""
    ids = [row.values["external_id"] for row in rows if row.values.get("external_id")]
    closed = Deal.objects.filter(external_id__in=ids).exclude(status=StageKind.OPEN)
    return {deal.external_id: deal.territory for deal in closed.select_related("territory")}


def _territory_on(spans: list, day: date | None) -> Territory:
    """The territory the owner worked on `day`, else their latest."""
    current = [s for s in spans if day and s.start <= day and (s.end is None or s.end >= day)]
    return (current or spans)[-1].territory


SALESFORCE_DEALS = {
    "Opportunity ID": "external_id",
    "Id": "external_id",
    "Deal ID": "external_id",
    "Opportunity Name": "name",
    "Deal Name": "name",
    "Account Name": "account",
    "Associated Company": "account",
    "Opportunity Owner": "owner",
    "Deal Owner": "owner",
    "Owner Name": "owner",
    "Stage": "stage",
    "Deal Stage": "stage",
    "Close Date": "close_date",
    "Created Date": "created_on",
    "Create Date": "created_on",
    "Product Name": "product",
    "Opportunity Currency": "currency",
    "Amount Currency": "currency",
    "Loss Reason": "lost_reason",
    "Closed Lost Reason": "lost_reason",
    "Record ID": "external_id",
    "Probability (%)": "probability",
    "Deal probability": "probability",
    "Lead Source": "lead_source",
}
SALESFORCE_ACCOUNTS = {
    "Account ID": "external_id",
    "Id": "external_id",
    "Account Name": "name",
    "Annual Revenue": "annual_revenue",
    "Billing Country": "country",
    "Parent Account": "parent",
    "Account Owner": "owner",
}

KINDS = {
    kind.name: kind
    for kind in [
        Kind(
            "reps",
            User,
            key=("username",),
            fields=("username", "first_name", "last_name", "email", "role", "title")
            + ("manager", "team", "hired_on"),
            extra={"full_name": "str", "territory": Territory},
            self_refs=("manager",),
            creatable=("manager", "team", "territory"),
            aliases={"Full Name": "full_name", "Name": "full_name", "User Name": "username"},
            options=("assignment_start", "effective_from"),
            prepare=_prepare_people,
            after_write=_after_people,
        ),
        Kind(
            "territories",
            Territory,
            key=("name",),
            fields=("name", "kind", "parent"),
            required=("name", "kind"),
            self_refs=("parent",),
            creatable=("parent",),
            aliases={"Territory Name": "name", "Parent Territory": "parent", "Type": "kind"},
        ),
        Kind(
            "accounts",
            Account,
            key=("external_id",),
            fields=("external_id", "name", "industry", "employees", "annual_revenue")
            + ("country", "parent", "territory", "owner", "segment"),
            required=("external_id", "name"),
            self_refs=("parent",),
            creatable=("parent", "territory", "owner"),
            aliases=SALESFORCE_ACCOUNTS,
        ),
        Kind(
            "products",
            Product,
            key=("name",),
            fields=("name", "family", "list_price", "currency", "billing"),
            required=("name", "list_price"),
            aliases={"Product Name": "name", "Product Family": "family", "Price": "list_price"},
        ),
        Kind(
            "deals",
            Deal,
            key=("external_id",),
            fields=("external_id", "name", "account", "owner", "product", "territory", "amount")
            + ("currency", "stage", "forecast_category", "type", "created_on")
            + ("expected_close_on", "closed_on", "lost_reason", "probability", "lead_source"),
            required=("external_id", "stage", "created_on"),
            extra={"close_date": "date"},
            creatable=("account", "owner", "product", "territory"),
            aliases=SALESFORCE_DEALS,
            options=("territory_from_owner", "date_entered"),
            prepare=_prepare_deals,
            after_write=_after_deals,
        ),
        Kind(
            "deal_history",
            DealChange,
            key=(),
            fields=(),
            required=("field", "new", "changed_at"),
            extra=dict.fromkeys(HISTORY_FIELDS, "str"),
            aliases={
                "Opportunity ID": "deal",
                "Record ID": "deal",
                "Opportunity Name": "deal_name",
                "Deal Name": "deal_name",
                "Account Name": "account",
                "Field / Event": "field",
                "Field": "field",
                "Old Value": "old",
                "New Value": "new",
                "Edit Date": "changed_at",
                "Date": "changed_at",
            },  # fmt: skip
        ),
        Kind(
            "activities",
            Activity,
            key=("rep", "kind", "occurred_at"),
            fields=("rep", "kind", "occurred_at", "account", "deal", "outcome"),
            required=("rep", "kind", "occurred_at"),
            aliases={"Assigned": "rep", "Activity Type": "kind", "Date": "occurred_at"},
        ),
        Kind(
            "subscriptions",
            Subscription,
            key=("account", "product", "start"),
            fields=("account", "product", "mrr", "currency", "start", "end"),
            required=("account", "mrr", "start"),
            creatable=("account", "product"),
            aliases={"MRR": "mrr", "Start Date": "start", "End Date": "end"},
        ),
        Kind(
            "survey_responses",
            Survey,
            key=("account", "kind", "responded_on"),
            fields=("account", "kind", "score", "responded_on", "comment"),
            required=("account", "kind", "score", "responded_on"),
            aliases={"Survey": "kind", "Score": "score", "Date": "responded_on"},
        ),
    ]
}
