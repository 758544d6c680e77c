"""Rows of one chunk converted, resolved, checked, compared with the database and written.

The row-by-row path, on every database; `imports.bulk` has the set-based one PostgreSQL uses
for deals.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone

from core.money import default_currency
from imports.constraints import broken_constraints
from imports.errors import Report, RowError
from imports.mapping import Mapping, MappingError
from imports.numbers import Number
from imports.parse import NumberFormat, months_before, parse_date, parse_value
from imports.refs import Ambiguous, ref_create, refs_find
from pipeline.accounts import account_assign
from pipeline.models import Account, Deal, ImportedKey, ImportRun, Stage

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class Row:
    line: int
    cells: dict[str, str]
    values: dict = field(default_factory=dict)  # field -> Python value (a name, until resolved)
    raw: dict[str, str] = field(default_factory=dict)  # field -> the cell as read
    sources: dict[str, str] = field(default_factory=dict)  # field -> the field that fed it
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    key: str = ""
    changed: list[str] = field(default_factory=list)
    obj: models.Model | None = None
    outcome: str = ""

    def fail(self, name: str, value: str, message: str) -> None:
        self.failures.append((name, value, message))


def stable_key(cells: dict[str, str], columns: tuple[str, ...]) -> str:
    """A key for a row without an ID: the one column's value, or a hash of several columns'
    values (blanks squeezed), the same each time the same report is exported."""
    values = [" ".join(cells.get(column, "").split()) for column in columns]
    if len(values) == 1:
        return values[0]
    if not any(values):
        return ""
    return "key-" + hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:24]


class Job:
    def __init__(self, mapping: Mapping, run: ImportRun, report: Report) -> None:
        self.mapping, self.run, self.report = mapping, run, report
        self.kind = mapping.kind
        self.model = self.kind.model
        self.meta = {f.name: f for f in self.model._meta.fields}
        refs = {
            name: self.meta[name].related_model if name in self.meta else self.kind.extra[name]
            for name in self.kind.all_fields
            if (name in self.meta and self.meta[name].is_relation)
            or isinstance(self.kind.extra.get(name), type)
        }
        # Only relations and model-valued extras are kept: every value is a model class.
        self.refs = cast(dict[str, type[models.Model]], refs)

    def ensure_stages(self) -> None:
        """The stages the mapping configures, created when missing (existing ones are kept)."""
        for attrs in self.mapping.stages:
            if Stage.objects.filter(name=attrs.get("name")).exists():
                continue
            stage = Stage(**attrs)
            try:
                stage.full_clean()
            except ValidationError as error:
                raise MappingError(f"Stage {attrs}: {error.messages}") from None
            stage.save()

    def finish(self) -> None:
        """Every chunk is written as it is read."""

    def process(self, chunk: list) -> None:
        rows = []
        for line, cells in chunk:
            self.report.rows += 1
            if isinstance(cells, RowError):
                self.report.add_error(cells)
            else:
                rows.append(self.convert(Row(line, cells)))
        self.resolve(rows, [name for name in self.refs if name not in self.kind.self_refs])
        rows = self.passed(rows)
        if self.kind.prepare is not None:
            self.kind.prepare(rows, self.mapping)
            rows = self.passed(rows)
        rows = self.passed(self.dedupe(rows))
        rows = self.passed(self.match(rows))
        self.write(rows)
        rows = self.passed(self.link(rows))
        if self.kind.after_write is not None:
            self.upgrade(rows, self.kind.after_write(rows, self.mapping))
            rows = self.passed(rows)
        for row in rows:
            setattr(self.report, row.outcome, getattr(self.report, row.outcome) + 1)

    def passed(self, rows: list[Row]) -> list[Row]:
        """Rows without failures; the failures go to the report."""
        kept = []
        for row in rows:
            for name, value, message in row.failures:
                column = self.mapping.column_of(row.sources.get(name, name))
                self.report.add_error(RowError(row.line, column, value, message))
            if not row.failures:
                kept.append(row)
        return kept

    # Converting cells

    def convert(self, row: Row) -> Row:
        for name in self.kind.all_fields:
            spec = self.mapping.fields.get(name)
            if spec is None and name not in self.mapping.defaults:
                continue
            raw = row.cells.get(spec.column, "") if spec and spec.column else ""
            text = raw.strip()
            if spec is not None:
                text = spec.values.get(text, text)
            if text == "":
                text = self.mapping.defaults.get(name, "")
            if self.mapping.as_of is not None:
                text = text.replace(
                    "{as_of}", self.mapping.as_of.strftime(self.mapping.date_format)
                )
            if spec is not None and spec.format and text:
                text = spec.format.format(text)
            row.raw[name] = raw
            try:
                row.values[name] = self.parse(name, text, spec)
            except ValueError as error:
                row.fail(name, raw, str(error))
        for name in [n for n, value in row.values.items() if isinstance(value, Number)]:
            self.currency_from_cell(row, name)
        if self.mapping.key_from and not row.values.get("external_id"):
            row.values["external_id"] = stable_key(row.cells, self.mapping.key_from)
            row.raw["external_id"] = " / ".join(row.cells.get(c, "") for c in self.mapping.key_from)
        return row

    def currency_from_cell(self, row: Row, name: str) -> None:
        """An amount naming its currency (`USD 12,500.00`) sets the row's currency; one that
        contradicts the currency column is an error."""
        number = row.values[name]
        if not isinstance(number, Number):
            return
        row.values[name] = number.value
        if number.currency is None or "currency" not in self.meta:
            return
        column = self.mapping.fields.get("currency")
        given = row.cells.get(column.column, "").strip() if column and column.column else ""
        if given and given.upper() != number.currency:
            message = f"The amount is in {number.currency}; the currency column says {given}."
            row.fail(name, row.raw[name], message)
            return
        row.values["currency"], row.sources["currency"] = number.currency, name

    def parse(self, name: str, text: str, spec):
        if spec is not None and spec.months_before_as_of and text:
            return months_before(text, self.mapping.as_of)
        date_format = (spec.date_format if spec else None) or self.mapping.date_format
        if name in self.refs:
            return text or None
        if name in self.kind.extra:
            kind = self.kind.extra[name]
            if kind == "date":
                return parse_date(text, date_format) if text else None
            return text
        if name == "currency" and not text:
            return default_currency()  # unless the amount's cell names its currency
        numbers = NumberFormat(
            self.mapping.decimal, self.mapping.symbols, spec.scale if spec is not None else None
        )
        return parse_value(self.meta[name], text, date_format, numbers)

    # References

    def resolve(self, rows: list[Row], names: list[str]) -> None:
        """Names in reference columns replaced by rows, found (or created) one query a column."""
        for name in names:
            model = self.refs[name]
            wanted = {row.values[name] for row in rows if isinstance(row.values.get(name), str)}
            found = refs_find(model, wanted)
            failed = self.create_missing(name, model, wanted - set(found), found)
            for row in rows:
                value = row.values.get(name)
                if not isinstance(value, str):
                    continue
                target = found.get(value)
                if isinstance(target, Ambiguous):
                    row.fail(name, value, f"{len(target)} {_plural(model)} are called {value!r}.")
                elif target is None:
                    row.fail(name, value, failed.get(value) or self.missing(name, model))
                else:
                    row.values[name] = target

    def create_missing(self, name: str, model, missing: set[str], found: dict) -> dict[str, str]:
        if name not in self.mapping.create_missing:
            return {}
        failed = {}
        for value in sorted(missing):
            try:
                found[value] = ref_create(model, value, self.mapping.create_missing[name])
            except ValidationError as error:
                failed[value] = f"Cannot create {_singular(model)} {value!r}: {error.messages}"
            else:
                self.report.note_created(_plural(model), value)
        return failed

    def missing(self, name: str, model) -> str:
        return (
            f"No {_singular(model)} has this name. Import the {_plural(model)} first, "
            f"or let the mapping create missing ones (create_missing: {name})."
        )

    # Keys

    def key_of(self, values: dict) -> list:
        return [values.get(name) for name in self.kind.key]

    def dedupe(self, rows: list[Row]) -> list[Row]:
        """A key seen earlier in this file (this chunk, or an earlier one) is an error."""
        lines: dict[str, int] = {}
        for row in rows:
            parts = self.key_of(row.values)
            blank = [n for n, p in zip(self.kind.key, parts, strict=True) if p in (None, "")]
            blank = [n for n in blank if n in self.kind.required]
            if blank:
                row.fail(blank[0], "", "This column is required: it identifies the row.")
                continue
            row.key = "|".join(_key_text(part) for part in parts)[:255]
            if row.key in lines:
                row.fail(
                    self.kind.key[0],
                    row.raw.get(self.kind.key[0], row.key),
                    self.dup(lines[row.key]),
                )
            else:
                lines[row.key] = row.line
        earlier = ImportedKey.objects.filter(run=self.run, key__in=list(lines))
        for key, line in earlier.values_list("key", "line"):
            lines.pop(key)
            for row in rows:
                if row.key == key and not row.failures:
                    row.fail(self.kind.key[0], row.raw.get(self.kind.key[0], key), self.dup(line))
        ImportedKey.objects.bulk_create(
            [ImportedKey(run=self.run, key=key, line=line) for key, line in lines.items()]
        )
        return rows

    def dup(self, line: int) -> str:
        name = self.kind.key[0]
        if name == "external_id" and "external_id" not in self.mapping.fields:
            columns = self.mapping.column_of(name)
            return f"Duplicate row: line {line} has the same {columns}."
        return f"Duplicate {name}: line {line} has the same one."

    # Comparing and validating

    def existing(self, rows: list[Row]) -> dict[str, models.Model]:
        first = self.kind.key[0]
        values = {_pk(row.values[first]) for row in rows}
        found = self.model._default_manager.filter(**{f"{first}__in": values})
        if self.model is Deal:
            found = found.select_related("stage")
        keyed = {}
        for obj in found:
            parts = [getattr(obj, self.meta[n].attname) for n in self.kind.key]
            keyed["|".join(_key_text(part) for part in parts)[:255]] = obj
        return keyed

    def match(self, rows: list[Row]) -> list[Row]:
        existing = self.existing(rows)
        plain = [n for n in self.meta if n not in self.kind.self_refs]
        for row in rows:
            row.obj = existing.get(row.key)
            fields = {n: v for n, v in row.values.items() if n in plain}
            if row.obj is None:
                row.obj, row.outcome, changed = self.model(), CREATED, list(fields)
                if hasattr(row.obj, "set_unusable_password"):
                    row.obj.set_unusable_password()
            else:
                changed = [n for n, v in fields.items() if self.current(row.obj, n) != _pk(v)]
                row.outcome = UPDATED if changed else UNCHANGED
            for name in changed:
                setattr(row.obj, name, fields[name])
            row.changed = changed
            if changed:
                self.validate(row)
        return rows

    def current(self, obj, name: str):
        return getattr(obj, self.meta[name].attname)

    def validate(self, row: Row) -> None:
        """The model's own rules: field validators, clean() and check constraints."""
        relations = [name for name, f in self.meta.items() if f.is_relation]
        assert row.obj is not None  # matched or made by `match` before validating
        try:
            row.obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                name = "" if name == NON_FIELD_ERRORS else name
                for message in messages:
                    row.fail(name, row.raw.get(name, ""), message)
        for names, message in broken_constraints(row.obj):
            fed = [n for n in names if n in row.raw or n in row.sources] or names
            row.fail(fed[0], row.raw.get(row.sources.get(fed[0], fed[0]), ""), message)

    # Writing

    @property
    def manager(self) -> Any:
        """The model's manager for bulk writes: a deal's also takes `changed_by` and `imported`
        (its history), which a plain manager's signature does not know."""
        return self.model._default_manager

    def write(self, rows: list[Row]) -> None:
        new = [row.obj for row in rows if row.outcome == CREATED]
        changed = [row for row in rows if row.outcome == UPDATED]
        fields = list(dict.fromkeys(name for row in changed for name in row.changed))
        history = {"changed_by": self.run.user} if self.model is Deal else {}
        if new:
            past = {"imported": True} if self.model is Deal else {}
            self.manager.bulk_create(new, **history, **past)
        if changed and self.model is Account:
            self.reassign([row for row in changed if {"territory", "owner"} & set(row.changed)])
        if changed:
            self.manager.bulk_update([row.obj for row in changed], fields, **history)

    def reassign(self, rows: list[Row]) -> None:
        """Accounts moving territory or owner keep their history, as on every other path."""
        today = timezone.localdate()
        for row in rows:
            account = row.obj
            assert isinstance(account, Account)  # the rows of an accounts import
            account_assign(
                account=account, territory=account.territory, owner=account.owner, on=today,
                source="import", actor=self.run.user,
            )  # fmt: skip

    def link(self, rows: list[Row]) -> list[Row]:
        """References between rows of the same kind, set once the rows they name exist."""
        for name in self.kind.self_refs:
            fed = [row for row in rows if name in row.values]
            self.resolve(fed, [name])
            moved = []
            for row in fed:
                target = row.values[name] if not row.failures else None
                if row.failures or self.current(row.obj, name) == _pk(target):
                    continue
                setattr(row.obj, name, target)
                self.validate(row)
                if not row.failures:
                    moved.append(row)
            self.manager.bulk_update([row.obj for row in moved], [name])
            self.upgrade(rows, {row.line for row in moved})
        return rows

    def upgrade(self, rows: list[Row], lines: set[int]) -> None:
        for row in rows:
            if row.line in lines and row.outcome == UNCHANGED:
                row.outcome = UPDATED


def _pk(value):
    return value.pk if isinstance(value, models.Model) else value


def _key_text(value) -> str:
    value = _pk(value)
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)


def _singular(model) -> str:
    return str(model._meta.verbose_name)


def _plural(model) -> str:
    return str(model._meta.verbose_name_plural)
