"""The Python half of the set-based deal import: each row converted, resolved and checked,
then copied into the staging table; the file's errors found by SQL are reported here."""

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models

from imports.bulk.staging import Staging
from imports.errors import Report, RowError
from imports.job import Job, Row, stable_key
from imports.mapping import Mapping
from imports.parse import NumberFormat, parse_date, parse_value
from imports.reader import read_rows
from imports.refs import Ambiguous, refs_find
from pipeline.models import Deal, ImportRun, Stage, StageKind
from territories.models import TerritoryAssignment

# Deal fields a row may set besides the mapped ones: its name (from its ID) and, from a
# close date, the closed or expected date.
DERIVED = ("external_id", "name", "closed_on", "expected_close_on", "currency")


class Failure(str):
    """A name that found no single row: why, for each row that names it."""


class DealCopyJob(Job):
    def __init__(self, mapping: Mapping, run: ImportRun, report: Report, path: Path) -> None:
        super().__init__(mapping, run, report)
        self.path = path
        self.from_owner = bool(mapping.options.get("territory_from_owner"))
        self.spans: dict[int, list[tuple[date, date | None, int]]] = {}
        self.columns = [self.column(name) for name in self.kind.all_fields if self.fed(name)]
        derived = (*DERIVED, "territory") if self.from_owner else DERIVED
        fed = [name for name in self.kind.fields if self.fed(name) or name in derived]
        self.fields = [self.meta[name] for name in fed]
        self.checks = [(f.name, f, _quick_check(f)) for f in self.fields if f.name != "external_id"]
        self.found: dict[str, dict[str, int | Failure]] = {name: {} for name in self.refs}
        self.stages: dict[int, Stage] = {}
        self.bits = {field.name: 1 << n for n, field in enumerate(self.fields)}
        self.staging = Staging(self.fields, run=run)

    def fed(self, name: str) -> bool:
        return name in self.mapping.fields or name in self.mapping.defaults

    def column(self, name: str) -> tuple:
        """(field, column, value aliases, default, template, parser) of one mapped field."""
        spec = self.mapping.fields.get(name)
        as_of, date_format = self.mapping.as_of, self.mapping.date_format
        template: Callable[[str], str] | None = None
        if as_of is not None or (spec is not None and spec.format):
            template = lambda text: self.template(text, spec)  # noqa: E731
        column = spec.column if spec is not None else None
        aliases = spec.values if spec is not None else {}
        return (
            name,
            column,
            aliases,
            self.mapping.defaults.get(name, ""),
            template,
            self.parser(name, spec, (spec.date_format if spec else None) or date_format),
        )

    def template(self, text: str, spec) -> str:
        if self.mapping.as_of is not None:
            text = text.replace("{as_of}", self.mapping.as_of.strftime(self.mapping.date_format))
        return spec.format.format(text) if spec is not None and spec.format and text else text

    def parser(self, name: str, spec, date_format: str) -> Callable[[str], object]:
        if name in self.refs:
            return lambda text: text or None
        if name in self.kind.extra:
            return lambda text: parse_date(text, date_format) if text else None
        if name == "currency" or (spec is not None and spec.months_before_as_of):
            return lambda text: self.parse(name, text, spec)
        numbers = NumberFormat(
            self.mapping.decimal, self.mapping.symbols, spec.scale if spec is not None else None
        )
        field = self.meta[name]
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            blank = parse_value(field, "", date_format)
            return lambda text: parse_date(text, date_format) if text else blank
        if isinstance(field, models.CharField) and not field.choices:
            blank = parse_value(field, "", date_format)
            return lambda text: text or blank
        return lambda text: parse_value(field, text, date_format, numbers)

    # Reading rows

    def process(self, chunk: list) -> None:
        rows = []
        for line, cells in chunk:
            self.report.rows += 1
            if isinstance(cells, RowError):
                self.report.add_error(cells)
            else:
                rows.append(self.read(line, cells))
        self.resolve_cached(rows)
        rows = self.passed(rows)
        for row in rows:
            self.prepare(row)
        if self.from_owner:
            self.territories_from_owners(rows)
        self.staging.copy(self.staged(row) for row in self.passed(rows))

    def read(self, line: int, cells: dict[str, str]) -> Row:
        row = Row(line, cells)
        values, raw = row.values, row.raw
        for name, column, aliases, default, template, parse in self.columns:
            cell = cells.get(column, "") if column else ""
            text = cell.strip()
            if aliases:
                text = aliases.get(text, text)
            if not text:
                text = default
            if template is not None:
                text = template(text)
            raw[name] = cell
            try:
                values[name] = parse(text)
            except ValueError as error:
                row.fail(name, cell, str(error))
        if "amount" in values:
            self.currency_from_cell(row, "amount")
        if self.mapping.key_from and not values.get("external_id"):
            values["external_id"] = stable_key(cells, self.mapping.key_from)
            raw["external_id"] = " / ".join(cells.get(c, "") for c in self.mapping.key_from)
        if not values.get("external_id"):
            row.fail("external_id", "", "This column is required: it identifies the row.")
        return row

    def resolve_cached(self, rows: list[Row]) -> None:
        """Names replaced by ids; each name is looked up (or created) once per file."""
        for name, found in self.found.items():
            unknown = []
            for row in rows:
                value = row.values.get(name)
                if isinstance(value, str):
                    target = found.get(value)
                    if target is None:
                        unknown.append(row)
                    elif isinstance(target, Failure):
                        row.fail(name, value, target)
                    else:
                        row.values[name] = target
            if unknown:
                self.look_up(name, {row.values[name] for row in unknown} - found.keys())
                self.resolve_cached_one(unknown, name)

    def resolve_cached_one(self, rows: list[Row], name: str) -> None:
        for row in rows:
            value, target = row.values[name], self.found[name][row.values[name]]
            if isinstance(target, Failure):
                row.fail(name, value, target)
            else:
                row.values[name] = target

    def look_up(self, name: str, names: set[str]) -> None:
        model = self.refs[name]
        rows = refs_find(model, names)
        failed = self.create_missing(name, model, names - set(rows), rows)
        for value in names:
            target = rows.get(value)
            if isinstance(target, Ambiguous):
                message = f"{len(target)} {model._meta.verbose_name_plural} are called {value!r}."
                self.found[name][value] = Failure(message)
            elif target is None:
                self.found[name][value] = Failure(failed.get(value) or self.missing(name, model))
            else:
                self.found[name][value] = target.pk
                if isinstance(target, Stage):
                    self.stages[target.pk] = target

    def prepare(self, row: Row) -> None:
        """A deal's name defaults to its ID; a close date is the closed date of a closed deal
        and the expected one of an open deal (which then has no closed date); then the checks
        of each field (the model's validators)."""
        values = row.values
        if not values.get("name"):
            values["name"] = values["external_id"]
        close = values.pop("close_date", None)
        stage = values.get("stage")
        if "close_date" in self.mapping.fields and stage is not None:
            closed = self.stages[stage].kind != StageKind.OPEN
            target = "closed_on" if closed else "expected_close_on"
            values[target], row.sources[target] = close, "close_date"
            if not closed:
                values.setdefault("closed_on", None)
        for name, field, quick in self.checks:
            if name in values and not quick(values[name]):
                self.check(row, field, values[name])

    def territories_from_owners(self, rows: list[Row]) -> None:
        """A deal without a territory takes the one its owner worked on its created day (else
        the owner's latest); a deal closed and still closed keeps the territory it had
        (`kinds._prepare_deals`, with the owners' territories read once per file)."""
        owners = {row.values["owner"] for row in rows if row.values.get("owner")}
        if new := owners - self.spans.keys():
            found = TerritoryAssignment.objects.filter(rep_id__in=new).order_by("start")
            for owner in new:
                self.spans[owner] = []
            for owner, start, end, territory in found.values_list(
                "rep_id", "start", "end", "territory_id"
            ):
                self.spans[owner].append((start, end, territory))
        ids = [row.values["external_id"] for row in rows if self.closed(row)]
        closed = Deal.objects.filter(external_id__in=ids).exclude(status=StageKind.OPEN)
        kept = dict(closed.values_list("external_id", "territory_id"))
        for row in rows:
            values = row.values
            spans = self.spans.get(values.get("owner") or 0, [])
            if not spans or values.get("territory"):
                continue
            if values["external_id"] in kept and self.closed(row):
                values["territory"] = kept[values["external_id"]]
            else:
                values["territory"] = _territory_on(spans, values.get("created_on"))

    def closed(self, row: Row) -> bool:
        stage = row.values.get("stage")
        return stage is not None and self.stages[stage].kind != StageKind.OPEN

    def check(self, row: Row, field: models.Field, value: object) -> None:
        """The checks of `Model.clean_fields` on one value: null, blank and the validators."""
        if value is None or value == "":
            empty_ok = field.null if value is None else field.blank
            if not empty_ok:
                message = field.error_messages["null" if value is None else "blank"]
                row.fail(field.name, row.raw.get(field.name, ""), str(message))
            return
        if field.is_relation:
            return
        try:
            field.run_validators(value)
        except ValidationError as error:
            for message in error.messages:
                row.fail(field.name, row.raw.get(field.name, ""), message)

    def staged(self, row: Row) -> list:
        values, bits = row.values, self.bits
        given = sum(bits[name] for name in values if name in bits)
        return [row.line, given, *(values.get(field.name) for field in self.fields)]

    # The file as a whole

    def finish(self) -> None:
        """Duplicates and broken constraints reported; then, when the file is clean, the new and
        changed deals written with their history."""
        staging = self.staging
        self.report_lines(staging.duplicates(), self.duplicate_errors)
        self.report_lines(staging.compare(), self.constraint_errors)
        counts = staging.counts()
        self.report.created += counts["created"]
        self.report.updated += counts["updated"]
        self.report.unchanged += counts["unchanged"]
        if self.report.ok:
            staging.write()
        staging.drop()

    def report_lines(self, found: tuple[dict[int, list], int], errors: Callable) -> None:
        """Errors of lines SQL found (the first ones, and how many in all): the file is read
        again for those rows' cells."""
        lines, total = found
        self.report.error_count += total - len(lines)
        if not lines:
            return
        for row in self.reread(lines):
            for name, message in errors(row, lines[row.line]):
                column = self.mapping.column_of(row.sources.get(name, name))
                shown = row.raw.get(row.sources.get(name, name), "")
                self.report.add_error(RowError(row.line, column, shown, message))

    def duplicate_errors(self, row: Row, first: list) -> Iterable[tuple[str, str]]:
        yield "external_id", self.dup(first[0])

    def constraint_errors(self, row: Row, broken: list) -> Iterable[tuple[str, str]]:
        for names, message in broken:
            fed = [n for n in names if n in row.raw or n in row.sources] or names
            yield fed[0], message

    def reread(self, lines: dict[int, list]) -> Iterable[Row]:
        with open(self.path, "rb") as handle:
            _, records = read_rows(handle)
            for line, cells in records:
                if line in lines and not isinstance(cells, RowError):
                    row = self.read(line, cells)
                    self.resolve_cached([row])
                    self.prepare(row)
                    yield row


def _quick_check(field: models.Field) -> Callable[[object], bool]:
    """True for a value that surely passes the field's checks (most values, at little cost);
    the others go through `DealCopyJob.check`, which says what is wrong."""
    if field.is_relation:
        return lambda value: value is not None or field.null
    if isinstance(field, models.CharField):
        longest = field.max_length or 0
        return lambda value: (
            isinstance(value, str) and 0 < len(value) <= longest and ("\x00" not in value)
        )
    if isinstance(field, models.DateField):
        return lambda value: value is not None
    return lambda value: False


def _territory_on(spans: list[tuple[date, date | None, int]], day: date | None) -> int:
    """The territory of the span in force on `day` (the last one that is), else the latest."""
    current = [s for s in spans if day and s[0] <= day and (s[1] is None or s[1] >= day)]
    return (current or spans)[-1][2]
