"""The import itself: chunks of rows converted, resolved, checked, compared and written.

All chunks run inside one transaction. A dry run, or a file with any invalid row, is rolled
back at the end, so both see exactly what an apply would do and neither changes anything.
"""

from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from django.db import reset_queries, transaction
from django.db.models import Max, Min

from imports.bulk import DealCopyJob, copy_fits
from imports.errors import ImportFileError, Report, RowError
from imports.history import HistoryJob
from imports.job import Job
from imports.mapping import Mapping, mapping_from_header, normalise
from imports.reader import read_rows
from pipeline.models import ImportedKey, ImportRun

CHUNK = 2000


def import_file(
    path: Path,
    mapping: Mapping | str,
    *,
    run: ImportRun,
    dry_run: bool = True,
    progress: Callable[[Report], None] | None = None,
    chunk_size: int = CHUNK,
) -> Report:
    """Import `path` with a mapping (or a kind name: headers are then matched by name).

    Raises ImportFileError when the file cannot be read at all; row errors go in the report.
    """
    report = Report()
    with open(path, "rb") as handle, transaction.atomic():
        header, records = read_rows(handle)
        if isinstance(mapping, str):
            mapping = mapping_from_header(mapping, header)
        mapping = mapping.for_header(header)
        _check_columns(mapping, header)
        if mapping.key_from and "external_id" not in mapping.fields:
            report.warn(_key_warning(mapping))
        job = _job(mapping, run, report, path)
        job.ensure_stages()
        for chunk in _chunks(records, chunk_size):
            job.process(chunk)
            reset_queries()  # with DEBUG on, Django would keep the SQL of 9,000 queries
            if progress is not None:
                progress(report)
        job.finish()
        if dry_run or not report.ok:
            transaction.set_rollback(True)
        else:
            _keys_forget(run, chunk_size)
    return report


def _job(mapping: Mapping, run: ImportRun, report: Report, path: Path):
    if mapping.kind.name == "deal_history":
        return HistoryJob(mapping, run, report)
    if copy_fits(mapping):
        return DealCopyJob(mapping, run, report, path)
    return Job(mapping, run, report)


def _chunks(records: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(records, size)):
        yield chunk


def _keys_forget(run: ImportRun, size: int) -> None:
    """Delete the run's keys a range of ids at a time, so memory stays flat however long the file.

    With foreign keys on, SQLite first collects every row id a DELETE removes in memory (about
    20 bytes a row): one DELETE of a million keys raised the peak by about 20 MB.
    """
    keys = ImportedKey.objects.filter(run=run)
    ids = keys.aggregate(low=Min("pk"), high=Max("pk"))
    if ids["low"] is None:
        return
    for low in range(ids["low"], ids["high"] + 1, size):
        keys.filter(pk__gte=low, pk__lt=low + size).delete()


def _key_warning(mapping: Mapping) -> str:
    columns = " + ".join(mapping.key_from)
    return (
        f"The file has no ID column: rows are recognised by {columns}. Renaming one of them in "
        "the CRM makes a new row on the next import; export the record ID to avoid that."
    )


def _check_columns(mapping: Mapping, header: list[str]) -> None:
    specs = [spec for spec in mapping.fields.values() if spec.column and not spec.optional]
    wanted = [(spec.column or "", spec.field) for spec in specs]
    for column, name in [*wanted, *((column, "the key") for column in mapping.key_from)]:
        if column not in header:
            message = f"Missing column {column!r} (for {name}); the header has: "
            raise ImportFileError(RowError(1, column, "", message + ", ".join(header)))
    for name in mapping.kind.required:
        if name == "external_id" and mapping.key_from:
            continue
        if name not in mapping.fields and name not in mapping.defaults:
            aliases = [
                alias
                for alias, target in mapping.kind.aliases.items()
                if target == name and normalise(alias) != name
            ]
            also = f" (or {', '.join(aliases)})" if aliases else ""
            message = f"Missing required column {name!r}{also}."
            raise ImportFileError(RowError(1, name, "", message))
