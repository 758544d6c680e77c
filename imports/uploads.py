"""Files uploaded on the import page: kept while an apply may still read them, then deleted.

A clean dry run keeps its file for the apply; one never applied is swept after a week.
"""

from datetime import timedelta
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from pipeline.models import ImportRun, ImportStatus


def uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def upload_save(upload: UploadedFile) -> Path:
    """Write an uploaded file where the worker reads it (web and worker share `VAR_DIR`)."""
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid4().hex}.csv"
    with open(path, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


def upload_discard(run: ImportRun) -> None:
    """Delete the uploaded file of a run that ended, unless it is a clean dry run (the apply
    reads the file again). Files imported from the command line are never touched."""
    if run.dry_run and run.status == ImportStatus.VALID:
        return
    _unlink(Path(run.source_path))


def uploads_sweep(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete the files of clean dry runs started before `older_than` ago and never applied
    (applying one afterwards asks for the file again); returns how many were deleted."""
    stale = ImportRun.objects.filter(
        dry_run=True, status=ImportStatus.VALID, started_at__lt=timezone.now() - older_than
    )
    paths = {Path(path) for path in stale.values_list("source_path", flat=True)}
    return sum(_unlink(path) for path in paths)


def _unlink(path: Path) -> bool:
    """Delete an uploaded file; a path outside the upload folder is never touched."""
    if not path.resolve().is_relative_to(uploads_dir().resolve()):
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
