"""A run's progress: rows read of the rows counted when it started, on its page and in its
status; and a large file uploaded through the page streams to disk."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.shortcuts import redirect
from django.urls import reverse

from imports import services, views
from imports.reader import file_summary, read_rows
from imports.services import import_run_execute, import_run_start, import_run_status
from pipeline.models import Deal, ImportRun

HEADER = "external_id,owner,stage,amount,created_on,close_date\n"


def rows_read(path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in read_rows(handle)[1])


@pytest.mark.parametrize(
    ("body", "rows"),
    [
        ("P-1,rep,Won,900,2026-01-02,2026-02-01\nP-2,rep,Proposal,300,2026-01-03,\n", 2),
        ("P-1,rep,Won,900,2026-01-02,2026-02-01", 1),  # no newline at the end
        ("P-1,rep,Won,900,2026-01-02,\n\n,,,,,\r\n  \nP-2,rep,Won,1,2026-01-02,\n", 2),
        ('P-1,"rep",Won,900,2026-01-02,\n"P-2\nstill P-2",rep,Won,1,2026-01-02,\n', 2),
        ('P-1,rep,Won,900,2026-01-02,\n"P ""2""\n,\n",rep,Won,1,2026-01-02,\nP-3,r,W,1,,\n', 3),
    ],
)
def test_rows_are_counted_as_the_import_reads_them(write_csv, body, rows):
    path = write_csv(HEADER + body)

    summary = file_summary(path)

    assert summary.rows == rows == rows_read(path)
    assert summary.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_semicolon_file_with_a_bom_is_counted(write_csv):
    path = write_csv(b"\xef\xbb\xbfexternal_id;owner\nA;rep\n;\nB;rep\n")

    assert file_summary(path).rows == 2 == rows_read(path)


def test_a_run_shows_its_rows_read_of_the_rows_in_the_file(stages, rep, write_csv):
    body = "".join(f"P-{n},rep,Proposal,{n},2026-01-02,\n" for n in range(1, 8))
    run = import_run_start(path=write_csv(HEADER + body), kind="deals", dry_run=False)
    seen = []

    def progress(report) -> None:
        run.refresh_from_db()
        seen.append({k: import_run_status(run)[k] for k in ("status", "rows", "percent")})

    assert (run.total_rows, import_run_status(run)["percent"]) == (7, 0)
    import_run_execute(run=run, progress=progress, chunk_size=3)

    assert seen == [
        {"status": "running", "rows": 3, "percent": 43},
        {"status": "running", "rows": 6, "percent": 86},
        {"status": "running", "rows": 7, "percent": 100},
    ]
    assert import_run_status(run) == {
        "status": "applied",
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "error_count": 0,
        "rows": 7,
        "total_rows": 7,
        "percent": 100,
        "status_label": "Applied",
        "done": True,
    }


def test_a_run_that_read_its_whole_file_is_at_100_percent(stages, rep, write_csv):
    run = import_run_start(
        path=write_csv(HEADER + "P-1,rep,Won,900,2026-01-02,2026-02-01\n"), kind="deals",
        dry_run=True,
    )  # fmt: skip
    ImportRun.objects.filter(pk=run.pk).update(total_rows=3)  # a count a little off
    run.refresh_from_db()
    assert (import_run_status(run)["total_rows"], import_run_status(run)["percent"]) == (3, 0)

    import_run_execute(run=run)

    assert (run.rows, import_run_status(run)["total_rows"], import_run_status(run)["percent"]) == (
        1,
        1,
        100,
    )


def test_a_run_logged_before_rows_were_counted_shows_rows_read_only(db):
    run = ImportRun.objects.create(
        file_name="x.csv", sha256="0" * 64, source_path="/x", kind="deals", status="running"
    )

    status = import_run_status(run)

    assert (status["rows"], status["total_rows"], status["percent"]) == (0, None, None)


@pytest.fixture
def ops(client, admin_user, stages, rep, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client.force_login(admin_user)
    return client


def test_the_run_page_shows_a_progress_bar(ops, write_csv):
    body = "".join(f"P-{n},rep,Proposal,{n},2026-01-02,\n" for n in range(1, 5))
    run = import_run_start(path=write_csv(HEADER + body), kind="deals", dry_run=True)
    ImportRun.objects.filter(pk=run.pk).update(status="running")
    services.cache.set(services._progress_key(run.pk), 1, 60)

    page = ops.get(reverse("imports:run", args=[run.pk])).content.decode()

    assert '<progress id="import-progress" aria-label="Rows read" max="4" value="1">' in page
    assert '<span data-field="rows">1</span> of <span data-field="total_rows">4</span>' in page
    assert '(<span data-field="percent">25</span>%)' in page
    assert 'data-done="0"' in page and "<script>" not in page and " onclick" not in page


def test_a_file_larger_than_fits_in_memory_is_streamed_to_disk(
    ops, settings, monkeypatch, django_capture_on_commit_callbacks
):
    rows = 45_000  # about 3 MB: more than FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    filler = "x" * 20
    body = HEADER.replace("\n", ",name\n") + "".join(
        f"BIG-{n:06d},rep,Proposal,{n % 9000 + 1},2026-01-02,,Deal {n} {filler}\n"
        for n in range(rows)
    )
    content = body.encode()
    assert len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    seen = []
    saved = views.upload_save

    def upload_save(upload):
        seen.append((type(upload), upload.size))
        return saved(upload)

    monkeypatch.setattr(views, "upload_save", upload_save)
    monkeypatch.setattr(views, "_queue", lambda run: redirect("imports:run", pk=run.pk))  # not run
    data = {"file": io.BytesIO(content), "mapping": "", "kind": "deals"}
    data["file"].name = "big.csv"

    response = ops.post(reverse("imports:upload"), data)

    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:run", args=[run.pk])
    assert seen == [(TemporaryUploadedFile, len(content))]
    assert (run.status, run.total_rows, run.file_name) == ("queued", rows, "big.csv")
    assert run.sha256 == hashlib.sha256(content).hexdigest()
    with open(run.source_path, "rb") as handle:
        assert handle.read() == content
    assert not Deal.objects.exists()
