"""Files uploaded on the import page: kept while an apply may still read them, then deleted."""

from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

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
    path = Path(run.source_path)
    if path.resolve().is_relative_to(uploads_dir().resolve()):
        path.unlink(missing_ok=True)
