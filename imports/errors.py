"""What an import reports: row-level errors and counts."""

from dataclasses import asdict, dataclass, field

MAX_ERRORS_KEPT = 1000
MAX_NAMES_KEPT = 100


@dataclass(frozen=True)
class RowError:
    line: int  # physical line in the file, the header being line 1
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        shown = f" (value {self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.message}"


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong encoding, no header, no rows, missing column."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)  # rows created from a name, per model
    named: dict[str, list[str]] = field(default_factory=dict)  # their names (the first 100)
    warnings: list[str] = field(default_factory=list)

    def note_created(self, model: str, name: str) -> None:
        self.notes[model] = self.notes.get(model, 0) + 1
        names = self.named.setdefault(model, [])
        if len(names) < MAX_NAMES_KEPT:
            names.append(name)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:  # the count stays exact; the list is a sample
            self.errors.append(error)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def errors_as_json(self) -> list[dict]:
        return [asdict(error) for error in self.errors]
