"""Deal history, recorded by the model layer on every write path.

`Deal.save()` (admin, forms, API, services) and the queryset's `bulk_create`, `bulk_update` and
`update` (imports, bulk edits) all end in `_record`, which appends one `DealChange` per deal
whose tracked fields changed. Nothing above the model layer has to remember to do it.

A deal imported from a source without history gets the past the source tells
(`imported=True` on `bulk_create`): open from its created date at its amount, in a stage
nobody recorded, then closed on its close date, or in its stage from the import on. Nothing
invents a stage the source does not know.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connections, models, transaction
from django.utils import timezone

from core.periods import local_midnight
from pipeline.crediting import CLOSED, CREDIT_FIELDS, CREDIT_INPUTS, credit_at_close
from pipeline.signals import deals_written

if TYPE_CHECKING:
    from pipeline.models import Deal

TRACKED = ("stage_id", "amount", "currency", "expected_close_on", "forecast_category", "owner_id",
           "closed_on", "probability")  # fmt: skip
SNAPSHOT = (*TRACKED, "status")  # the status follows the stage
FIELD_NAMES = {"stage_id": "stage", "owner_id": "owner"}

When = datetime | Callable[[models.Model], datetime] | None


def _snapshot(deal) -> dict:
    return {field: getattr(deal, field) for field in SNAPSHOT}


def _imported_past(deal, now: datetime) -> list[tuple[dict | None, dict, datetime]]:
    """(before, after, when) for each row an imported deal's known past makes."""
    after = _snapshot(deal)
    first = after | {"stage_id": None, "status": "open", "closed_on": None}
    first["forecast_category"] = ""
    created = local_midnight(deal.created_on)
    if deal.status in CLOSED:
        return [(None, first, created), (first, after, local_midnight(deal.closed_on))]
    if created >= now:
        return [(None, after, created)]
    return [(None, first, created), (first, after, now)]


def _changed(old: dict | None, new: dict) -> list[str]:
    if old is None:
        return ["created"]
    return [FIELD_NAMES.get(f, f) for f in TRACKED if old[f] != new[f]]


def _record(pairs: Iterable[tuple[dict | None, models.Model]], changed_by, changed_at: When) -> int:
    now = timezone.now()
    steps = []
    for old, deal in pairs:
        at = changed_at(deal) if callable(changed_at) else changed_at
        steps.append((deal.pk, old, _snapshot(deal), at or now))
    return _write(steps, changed_by)


def _write(steps: Iterable[tuple[int, dict | None, dict, datetime]], changed_by) -> int:
    """One `DealChange` per (deal id, before, after, when) whose tracked fields changed."""
    DealChange = apps.get_model("pipeline", "DealChange")
    steps = list(steps)
    rows = []
    for pk, old, new, at in steps:
        fields = _changed(old, new)
        if fields:
            rows.append(
                DealChange(
                    deal_id=pk,
                    changed_at=at,
                    changed_by=changed_by,
                    changed_fields=",".join(fields),
                    **new,
                )
            )
    _insert(DealChange, rows)
    days = {s["closed_on"] for _, *pair, _ in steps for s in pair if s and s["closed_on"]}
    if steps:
        deals_written.send(sender=DealChange, days=days, deals={pk for pk, *_ in steps})
    return len(rows)


def _insert(model: type[models.Model], rows: list) -> None:
    """Append rows in bulk: on PostgreSQL with COPY, which skips the SQL Django would compile
    for every value (most of a large import's time), else with `bulk_create`."""
    connection = connections[model._default_manager.db]
    if connection.vendor != "postgresql" or not rows:
        model._default_manager.bulk_create(rows, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([getattr(row, f.attname) for f in fields])


def record_deal_write(deal, save: Callable[[], None], *, changed_by=None, changed_at=None) -> None:
    """Run `save` for one deal and append its history row, in one transaction."""
    old = None
    if deal.pk is not None:
        old = type(deal).objects.filter(pk=deal.pk).values(*SNAPSHOT).first()
    with transaction.atomic():
        save()
        _record([(old, deal)], changed_by, changed_at)


def _credited(deal) -> bool:
    """Closed, or still holding a credit from when it was: its credit needs working out."""
    return deal.status in CLOSED or bool(deal.closed_territory_id or deal.closed_owner_id)


class DealQuerySet(models.QuerySet["Deal"]):
    def _stages(self) -> dict:
        return apps.get_model("pipeline", "Stage").objects.in_bulk()

    def bulk_create(
        self, objs, *args, changed_by=None, changed_at: When = None, imported=False, **kwargs
    ):
        """Create deals and their first history; `imported` deals get their known past."""
        objs = list(objs)
        stages = self._stages()
        for deal in objs:
            deal.stage = stages[deal.stage_id]
            deal.sync_from_stage()
        credit_at_close(objs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if imported:
                now = timezone.now()
                steps = ((deal.pk, *step) for deal in created for step in _imported_past(deal, now))
                _write(steps, changed_by)
            else:
                _record(((None, deal) for deal in created), changed_by, changed_at)
        return created

    def bulk_update(self, objs, fields, *args, changed_by=None, changed_at: When = None, **kwargs):
        objs = list(objs)
        fields = list(fields)
        if "stage" in fields or "stage_id" in fields:
            stages = self._stages()
            for deal in objs:
                deal.stage = stages[deal.stage_id]
                deal.sync_from_stage()
            fields += ["status", "forecast_category"]
        if CREDIT_INPUTS & set(fields) and any(_credited(deal) for deal in objs):
            credit_at_close(objs)
            fields += CREDIT_FIELDS
        with transaction.atomic(using=self.db):
            old = self._snapshots([deal.pk for deal in objs])
            # A plain queryset underneath, so its inner update() is not recorded a second time.
            plain: models.QuerySet[Deal] = models.QuerySet(self.model, using=self.db)
            count = plain.bulk_update(objs, list(dict.fromkeys(fields)), *args, **kwargs)
            _record(((old[deal.pk], deal) for deal in objs), changed_by, changed_at)
        return count

    def update(self, *, changed_by=None, changed_at: When = None, **kwargs) -> int:
        stage: Any = kwargs.get("stage") or kwargs.get("stage_id")
        if stage is not None:
            if isinstance(stage, models.Expression):
                raise TypeError("Set a deal's stage to a Stage or its id, not an expression.")
            if not isinstance(stage, models.Model):
                stage = self._stages()[stage]
            kwargs["status"] = stage.kind
            if stage.kind != "open" or "forecast_category" not in kwargs:
                kwargs["forecast_category"] = stage.forecast_category
            if stage.kind == "open":  # reopened deals lose their close-time credit
                kwargs |= dict.fromkeys(CREDIT_FIELDS)
        recredit = (stage is not None and stage.kind != "open") or bool(
            (CREDIT_INPUTS - {"stage", "stage_id"}) & set(kwargs)
        )
        with transaction.atomic(using=self.db):
            old = self._snapshots(list(self.values_list("pk", flat=True)))
            count = super().update(**kwargs)
            after = self.model.objects.filter(pk__in=old).only("pk", *SNAPSHOT)
            _record(((old[deal.pk], deal) for deal in after), changed_by, changed_at)
            if recredit:
                self._recredit(list(old))
        return count

    def _recredit(self, pks: list[int]) -> None:
        """Work out the close-time credit again for closed deals an `update()` touched."""
        fields = ("status", "account_id", "territory_id", "closed_on", "owner_id")
        closed = self.model.objects.filter(pk__in=pks, status__in=CLOSED)
        deals = list(closed.only("pk", *fields, *CREDIT_FIELDS))
        credit_at_close(deals)
        plain: models.QuerySet[Deal] = models.QuerySet(self.model, using=self.db)
        plain.bulk_update(deals, CREDIT_FIELDS)

    def _snapshots(self, pks: list[int]) -> dict[int, dict]:
        rows = self.model.objects.filter(pk__in=pks).values("pk", *SNAPSHOT)
        return {row.pop("pk"): row for row in rows}


def deal_history_add(
    steps: Iterable[tuple[int, datetime, dict]], *, changed_by=None
) -> dict[tuple[int, datetime], bool]:
    """Past changes a source recorded, as history rows: (deal id, when, {field: value}) with
    fields among stage_id, amount, expected_close_on, owner_id and probability.

    Each step applies to the deal's row in force at that moment (or its first row, for a step
    before it), so later rows are untouched and the pipeline as of any day between shows the
    step. A new stage brings its status and forecast category, its own probability (unless
    the step sets one) and, when closed, the step's day as the close date. A step that
    changes nothing, or whose row is already there, adds nothing: importing the same history
    again changes nothing.
    Returns, per step, whether it added a row.
    """
    merged: dict[tuple[int, datetime], dict] = {}
    for pk, at, changes in steps:  # changes made together (stage and probability) are one row
        merged.setdefault((pk, at), {}).update(changes)
    DealChange = apps.get_model("pipeline", "DealChange")
    stages = apps.get_model("pipeline", "Stage").objects.in_bulk()
    ids = {pk for pk, _ in merged}
    known: dict[int, list[tuple[datetime, dict]]] = {pk: [] for pk in ids}
    for row in (
        DealChange.objects.filter(deal_id__in=ids)
        .order_by("changed_at", "id")
        .values("deal_id", "changed_at", *SNAPSHOT)
    ):
        known[row.pop("deal_id")].append((row.pop("changed_at"), row))
    added, rows = {}, []
    for (pk, at), changes in sorted(merged.items(), key=lambda item: item[0]):
        history = known[pk]
        before = _in_force(history, at)
        after = _stepped(before, changes, stages, at)
        fresh = after != before and (at, after) not in history
        added[(pk, at)] = fresh
        if fresh:
            history.append((at, after))
            history.sort(key=lambda item: item[0])
            rows.append((pk, before, after, at))
    _write(rows, changed_by)
    return added


def _in_force(history: list[tuple[datetime, dict]], at: datetime) -> dict:
    earlier = [state for when, state in history if when <= at]
    return dict(earlier[-1] if earlier else history[0][1])


def _stepped(before: dict, changes: dict, stages: dict, at: datetime) -> dict:
    moved = changes.get("stage_id", before["stage_id"]) != before["stage_id"]
    after = before | {"probability": None} | changes if moved else before | changes
    if moved:
        stage = stages[changes["stage_id"]]
        after["status"], after["forecast_category"] = stage.kind, stage.forecast_category
        after["closed_on"] = timezone.localdate(at) if stage.kind in CLOSED else None
    return after
