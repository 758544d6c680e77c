"""Stage-history files: one row per change of a deal (deal, field, old value, new value, when),
as Salesforce's Opportunity History report exports them. Each row becomes a history row of
the deal at that moment (`pipeline.history.deal_history_add`); the deals must be imported
first. Rows about fields Pacer does not keep are skipped, and counted in a warning.
"""

from datetime import datetime

from imports.errors import Report, RowError
from imports.kinds import HISTORY_FIELDS
from imports.mapping import Mapping, MappingError, normalise
from imports.numbers import Number
from imports.parse import NumberFormat, parse_decimal, parse_int, parse_moment
from imports.refs import Ambiguous, refs_find
from org.models import User
from pipeline.history import deal_history_add
from pipeline.models import Deal, ImportRun, Stage

# A field as sources name it -> the history field it changes.
FIELDS = {
    "stage": "stage_id", "deal_stage": "stage_id", "amount": "amount",
    "close_date": "expected_close_on", "probability": "probability",
    "probability_percent": "probability", "deal_probability": "probability",
    "owner": "owner_id", "opportunity_owner": "owner_id", "deal_owner": "owner_id",
}  # fmt: skip


class HistoryJob:
    """Converts, resolves and writes a chunk of history rows at a time."""

    def __init__(self, mapping: Mapping, run: ImportRun, report: Report) -> None:
        self.mapping, self.run, self.report = mapping, run, report
        self.skipped: dict[str, int] = {}
        self.numbers = NumberFormat(mapping.decimal, mapping.symbols)
        if not {"deal", "deal_name"} & set(mapping.fields):
            raise MappingError("A history file names its deal: map deal (an ID) or deal_name.")

    def ensure_stages(self) -> None:
        """A history file names stages the deals import created."""

    def finish(self) -> None:
        """Every chunk is written as it is read."""

    def process(self, chunk: list) -> None:
        rows = []
        for line, cells in chunk:
            self.report.rows += 1
            if isinstance(cells, RowError):
                self.report.add_error(cells)
            else:
                rows.append((line, {name: self.cell(cells, name) for name in HISTORY_FIELDS}))
        deals = self.deals(rows)
        steps = {}
        for line, values in rows:
            step = self.step(line, values, deals)
            if step is not None:
                steps[line] = step
        added = deal_history_add(steps.values(), changed_by=self.run.user)
        for step in steps.values():
            outcome = "created" if added[(step[0], step[1])] else "unchanged"
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        if self.skipped:
            fields = ", ".join(f"{name} ({count})" for name, count in sorted(self.skipped.items()))
            self.report.warnings[:] = [w for w in self.report.warnings if not w.startswith("Rows")]
            self.report.warn(f"Rows about fields Pacer does not keep were skipped: {fields}.")

    def cell(self, cells: dict[str, str], name: str) -> str:
        spec = self.mapping.fields.get(name)
        text = cells.get(spec.column, "").strip() if spec and spec.column else ""
        return spec.values.get(text, text) if spec else text

    def fail(self, line: int, name: str, value: str, message: str) -> None:
        self.report.add_error(RowError(line, self.mapping.column_of(name), value, message))

    def deals(self, rows: list) -> dict:
        """Deals by external id, or by name (and account name): one query a chunk."""
        if "deal" in self.mapping.fields:
            return refs_find(Deal, {values["deal"] for _, values in rows if values["deal"]})
        names = {values["deal_name"] for _, values in rows}
        found: dict[str, list[Deal]] = {}
        for deal in Deal.objects.filter(name__in=names).select_related("account"):
            account = deal.account.name if deal.account else ""
            keys = [deal.name, f"{deal.name}\x1f{account}"]
            for key in keys:
                found.setdefault(key, []).append(deal)
        return {key: hits[0] if len(hits) == 1 else Ambiguous(hits) for key, hits in found.items()}

    def deal_key(self, values: dict) -> tuple[str, str]:
        if "deal" in self.mapping.fields:
            return "deal", values["deal"]
        if "account" in self.mapping.fields:
            return "deal_name", f"{values['deal_name']}\x1f{values['account']}"
        return "deal_name", values["deal_name"]

    def step(self, line: int, values: dict, deals: dict) -> tuple[int, datetime, dict] | None:
        target = FIELDS.get(normalise(values["field"]))
        if target is None:
            name = values["field"] or "(blank)"
            self.skipped[name] = self.skipped.get(name, 0) + 1
            self.report.unchanged += 1
            return None
        name, key = self.deal_key(values)
        deal = deals.get(key)
        shown = values[name]
        if isinstance(deal, Ambiguous):
            self.fail(line, name, shown, f"{len(deal)} deals answer to this.")
            return None
        if deal is None:
            self.fail(line, name, shown, "No deal has this ID or name: import the deals first.")
            return None
        try:
            at = parse_moment(values["changed_at"], self.mapping.date_format)
        except ValueError as error:
            self.fail(line, "changed_at", values["changed_at"], str(error))
            return None
        try:
            value = self.value(target, values["new"])
        except ValueError as error:
            self.fail(line, "new", values["new"], str(error))
            return None
        return deal.pk, at, {target: value}

    def value(self, target: str, text: str):
        if target == "stage_id":
            stage = Stage.objects.filter(name=text).first()
            if stage is None:
                raise ValueError("No stage has this name.")
            return stage.pk
        if not text:
            return None
        if target == "amount":
            number: Number = parse_decimal(text, self.numbers)
            if number.value < 0:
                raise ValueError("A deal amount cannot be negative.")
            return number.value
        if target == "probability":
            percent = parse_int(text, self.numbers)
            if not 0 <= percent <= 100:
                raise ValueError("A win probability is a percent from 0 to 100.")
            return percent
        if target == "expected_close_on":
            return parse_moment(text, self.mapping.date_format).date()
        found = refs_find(User, {text}).get(text)
        if not isinstance(found, User):
            raise ValueError("No single person has this username or name.")
        return found.pk
