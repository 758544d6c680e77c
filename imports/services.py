"""Imports as logged runs: start one (dry run or apply), execute it, report progress.

An uploaded file is deleted once its run ends, unless a clean dry run leaves it for the apply.
"""

from pathlib import Path

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from imports.engine import CHUNK, import_file
from imports.errors import ImportFileError, Report, RowError
from imports.mapping import MappingError, mapping_load
from imports.reader import file_summary
from imports.uploads import upload_discard
from org.models import User
from pipeline.models import ImportRun, ImportStatus

PROGRESS_SECONDS = 6 * 3600


def import_run_start(
    *,
    path: Path,
    mapping: str = "",
    kind: str = "",
    dry_run: bool,
    user: User | None = None,
    file_name: str = "",
    applies: ImportRun | None = None,
) -> ImportRun:
    """Log a queued import of `path` with a mapping file, or with a kind and matched headers."""
    if not mapping and not kind:
        raise MappingError("Give a mapping, or the kind of rows for headers matched by name.")
    kind = mapping_load(mapping).kind.name if mapping else kind
    summary = file_summary(Path(path))
    return ImportRun.objects.create(
        user=user,
        file_name=file_name or Path(path).name,
        sha256=summary.sha256,
        total_rows=summary.rows,
        source_path=str(path),
        kind=kind,
        mapping=str(mapping),
        dry_run=dry_run,
        applies=applies,
    )


class ApplyRefused(Exception):
    """A dry run that cannot be applied (now): the message says why."""


def import_run_apply(*, checked: ImportRun, user: User | None = None) -> ImportRun:
    """Start the import that applies a clean dry run: the same file, mapping and kind.

    A dry run is applied once: the apply run claims it (`ImportRun.applies` is unique), so of
    two applies at the same moment (a double click, two admins) one starts a run and the other
    is refused, naming that run. Raises ApplyRefused; then nothing was logged or queued.
    """
    if not checked.dry_run or checked.status != ImportStatus.VALID:
        raise ApplyRefused("Only a dry run without errors can be applied.")
    if (claimed := import_run_applied_by(checked)) is not None:
        raise ApplyRefused(_already(claimed))
    try:
        with transaction.atomic():
            return import_run_start(
                path=Path(checked.source_path),
                mapping=checked.mapping,
                kind=checked.kind,
                dry_run=False,
                user=user,
                file_name=checked.file_name,
                applies=checked,
            )
    except IntegrityError:  # another apply claimed it since the check above
        claimed = import_run_applied_by(checked)
        if claimed is None:
            raise
        raise ApplyRefused(_already(claimed)) from None
    except OSError:
        raise ApplyRefused("The uploaded file is gone: upload it again.") from None


def import_run_applied_by(checked: ImportRun) -> ImportRun | None:
    """The import started to apply a dry run, if any (read afresh from the database)."""
    return ImportRun.objects.filter(applies=checked).first()


def import_run_unclaim(run: ImportRun) -> None:
    """An apply that never started (the task queue was down) gives its dry run back."""
    ImportRun.objects.filter(pk=run.pk).update(applies=None)


def _already(run: ImportRun) -> str:
    if run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return f"This file is already being applied: import #{run.pk}."
    if run.status == ImportStatus.APPLIED:
        return f"This file was already applied: import #{run.pk}."
    return (
        f"This file was already applied once: import #{run.pk} ({run.get_status_display()}). "
        "Upload it again to try once more."
    )


def import_run_execute(*, run: ImportRun, progress=None, chunk_size: int = CHUNK) -> Report:
    """Run a logged import and record its outcome; the data changes only on a clean apply."""
    run.status = ImportStatus.RUNNING
    run.save(update_fields=["status"])

    def step(report: Report) -> None:
        cache.set(_progress_key(run.pk), report.rows, PROGRESS_SECONDS)
        if progress is not None:
            progress(report)

    report = Report()
    try:
        mapping = mapping_load(run.mapping) if run.mapping else run.kind
        report = import_file(
            Path(run.source_path),
            mapping,
            run=run,
            dry_run=run.dry_run,
            progress=step,
            chunk_size=chunk_size,
        )
    except ImportFileError as error:
        report.add_error(error.error)
    except (MappingError, OSError) as error:
        report.add_error(RowError(0, "", "", str(error)))
    except Exception as error:  # the transaction rolled back: log why, then let it propagate
        import_run_fail(run=run, message=f"The import stopped: {error!r}")
        upload_discard(run)
        raise
    _finish(run, report)
    upload_discard(run)
    return report


def _finish(run: ImportRun, report: Report) -> None:
    if not report.ok:
        run.status = ImportStatus.INVALID
    else:
        run.status = ImportStatus.VALID if run.dry_run else ImportStatus.APPLIED
    counts = ("rows", "created", "updated", "unchanged", "error_count", "notes", "named")
    for name in (*counts, "warnings"):
        setattr(run, name, getattr(report, name))
    run.errors = sorted(report.errors_as_json(), key=lambda error: error["line"])
    run.finished_at = timezone.now()
    run.save()
    cache.delete(_progress_key(run.pk))


def import_run_fail(*, run: ImportRun, message: str) -> None:
    """An import that crashed: nothing changed (its transaction rolled back); say why."""
    run.status = ImportStatus.FAILED
    run.errors = [{"line": 0, "column": "", "value": "", "message": message}]
    run.error_count = 1
    run.finished_at = timezone.now()
    run.save()
    cache.delete(_progress_key(run.pk))  # the rows it read were rolled back


def import_run_progress(run: ImportRun) -> int:
    """Rows read so far: live from the cache while running (the rows are not committed yet)."""
    return cache.get(_progress_key(run.pk), run.rows)


DONE = {ImportStatus.VALID, ImportStatus.INVALID, ImportStatus.APPLIED, ImportStatus.FAILED}


def import_run_status(run: ImportRun) -> dict:
    """Where a run is, for its page and the page's polling: rows read of the rows in the file
    (`percent` of them) and, once done, the counts. A run that read its whole file is at 100%,
    even where the row count made when it started was a little off."""
    rows = import_run_progress(run)
    read_all = run.status in (ImportStatus.VALID, ImportStatus.APPLIED)
    total = rows if read_all else run.total_rows
    if total is not None:
        total = max(total, rows)
    fields = ("status", "created", "updated", "unchanged", "error_count")
    return {
        **{name: getattr(run, name) for name in fields},
        "rows": rows,
        "total_rows": total,
        "percent": min(100, round(100 * rows / total)) if total else None,
        "status_label": run.get_status_display(),
        "done": run.status in DONE,
    }


def _progress_key(pk: int) -> str:
    return f"import-run-progress-{pk}"
