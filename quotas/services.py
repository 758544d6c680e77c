"""Writes for quota planning: setting many quotas of one period at once (from a grid or a CSV
file, validated as a whole: all or nothing), and top-down allocation of a total to a team's or
territory's reps, with monthly seasonality and ramps."""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from org.models import Team, User
from quotas.allocation import CENT
from quotas.models import ASSIGNEES, Quota
from quotas.selectors import plan_period
from territories.models import Territory


@dataclass(frozen=True)
class QuotaEntry:
    """One quota to set: an assignee (a rep, team or territory) and an amount."""

    assignee: User | Team | Territory
    amount: Decimal
    row: int | None = None  # its row in a file, for error messages (else its place in the list)

    @property
    def field(self) -> str:
        return {User: "rep", Team: "team", Territory: "territory"}[type(self.assignee)]


class QuotaRowsInvalid(ValidationError):
    """Rows that failed, each as (row number, message); nothing was saved."""

    def __init__(self, rows: list[tuple[int, str]]):
        self.rows = rows
        super().__init__([f"Row {number}: {message}" for number, message in rows])


def _row_problem(entry: QuotaEntry, kind: str, start: date, metric: str) -> str | None:
    quota = Quota(period=kind, start=start, metric=metric, amount=entry.amount,
                  **{entry.field: entry.assignee})  # fmt: skip
    try:
        quota.full_clean(validate_unique=False, validate_constraints=False)
        if entry.amount < 0 or entry.amount != entry.amount.quantize(CENT):
            raise ValidationError("A quota is an amount in cents, not negative.")
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def quotas_check(
    *,
    kind: str,
    start: date,
    metric: str,
    entries: Sequence[QuotaEntry],
    problems: Sequence[tuple[int, str]] = (),
) -> None:
    """Every entry valid and no assignee twice; raises QuotaRowsInvalid listing every bad row
    (with `problems` found earlier, such as rows that could not be read)."""
    try:
        plan_period(kind, start)
    except ValueError as error:
        raise ValidationError({"start": str(error)}) from None
    problems = list(problems)
    seen: dict[tuple[str, int], int] = {}
    for index, entry in enumerate(entries, 1):
        number = entry.row or index
        key = (entry.field, entry.assignee.pk)
        if key in seen:
            problems.append((number, f"{entry.assignee} is already on row {seen[key]}."))
        seen.setdefault(key, number)
        if message := _row_problem(entry, kind, start, metric):
            problems.append((number, f"{entry.assignee}: {message}"))
    if problems:
        raise QuotaRowsInvalid(sorted(problems))


def quotas_set(
    *,
    kind: str,
    start: date,
    metric: str,
    entries: Sequence[QuotaEntry],
    problems: Sequence[tuple[int, str]] = (),
) -> list[Quota]:
    """Set (create or change) the quotas of one period and metric, all or none. Each row is saved
    on its own so the audit log records it."""
    quotas_check(kind=kind, start=start, metric=metric, entries=entries, problems=problems)
    saved = []
    with transaction.atomic():
        for entry in entries:
            quota, _ = Quota.objects.select_for_update().get_or_create(
                period=kind, start=start, metric=metric, **{entry.field: entry.assignee},
                defaults={"amount": entry.amount},
            )  # fmt: skip
            if quota.amount != entry.amount:
                quota.amount = entry.amount
                quota.full_clean()
                quota.save()
            saved.append(quota)
    return saved


CSV_COLUMNS = ["assignee_type", "assignee", "amount"]
FINDERS = {
    "rep": lambda name: User.objects.filter(username=name).first(),
    "team": lambda name: Team.objects.filter(name=name).first(),
    "territory": lambda name: Territory.objects.filter(name=name).first(),
}


def _csv_entry(row: Mapping[str, str], number: int) -> QuotaEntry:
    kind, name = (row.get("assignee_type") or "").strip(), (row.get("assignee") or "").strip()
    if kind not in ASSIGNEES:
        raise ValidationError(f"assignee_type is one of {', '.join(ASSIGNEES)}, not {kind!r}.")
    assignee = FINDERS[kind](name)
    if assignee is None:
        raise ValidationError(f"No {kind} named {name!r}.")
    try:
        amount = Decimal((row.get("amount") or "").strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError(f"Amount {row.get('amount')!r} is not a number.") from None
    if not amount.is_finite():
        raise ValidationError(f"Amount {row.get('amount')!r} is not a number.")
    return QuotaEntry(assignee, amount, number)


def quotas_rows_parse(
    rows: Iterable[Mapping[str, str]], first_row: int = 1
) -> tuple[list[QuotaEntry], list[tuple[int, str]]]:
    """Rows of `assignee_type` (rep, team or territory), `assignee` (a rep's username, a team's
    or territory's name) and `amount` as entries, and the rows that could not be read."""
    entries, problems = [], []
    for number, row in enumerate(rows, first_row):
        try:
            entries.append(_csv_entry(row, number))
        except ValidationError as error:
            problems.append((number, " ".join(error.messages)))
    if not entries and not problems:
        raise QuotaRowsInvalid([(first_row, "There are no quota rows.")])
    return entries, problems


def quotas_csv_parse(text: str) -> tuple[list[QuotaEntry], list[tuple[int, str]]]:
    """A CSV file's rows (see `quotas_rows_parse`; the header is row 1)."""
    reader = csv.DictReader(io.StringIO(text))
    if [name.strip() for name in reader.fieldnames or []] != CSV_COLUMNS:
        raise QuotaRowsInvalid([(1, f"The header is {','.join(CSV_COLUMNS)}.")])
    return quotas_rows_parse(reader, first_row=2)


def quotas_import(
    *, kind: str, start: date, metric: str, rows: Iterable[Mapping[str, str]]
) -> list[Quota]:
    """Set one period's quotas from rows as `quotas_rows_parse` reads them, all or nothing."""
    entries, problems = quotas_rows_parse(rows)
    return quotas_set(kind=kind, start=start, metric=metric, entries=entries, problems=problems)


def quotas_import_csv(*, kind: str, start: date, metric: str, text: str) -> list[Quota]:
    """Set one period's quotas from a CSV file, all or nothing: any bad row (unreadable, invalid,
    or an assignee twice) raises QuotaRowsInvalid naming every bad row, and nothing is saved."""
    entries, problems = quotas_csv_parse(text)
    return quotas_set(kind=kind, start=start, metric=metric, entries=entries, problems=problems)
