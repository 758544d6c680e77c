"""An admin imports a file of a few thousand deals in a real browser: the dry run's and the
apply's progress bars fill as the worker reads the rows, then the page shows the counts."""

import threading

import pytest
from django.db import connection, transaction
from django.shortcuts import redirect

from imports import services, views
from tests.browser.conftest import Watched, screenshot, wait_until

ROWS, CHUNK = 3000, 500
HEADER = "external_id,name,owner,stage,amount,created_on,close_date\n"


class HeldWorker:
    """Runs each queued import in a thread, as the Celery worker would, holding it after its
    first chunk of rows until the test has seen that progress on the page."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []

    def queue(self, run):
        self.release.clear()
        thread = threading.Thread(target=self.execute, args=(run.pk,))
        self.threads.append(thread)
        transaction.on_commit(thread.start)  # as the upload view queues a run
        return redirect("imports:run", pk=run.pk)

    def execute(self, pk: int) -> None:
        def hold(report) -> None:
            if report.rows == CHUNK:
                assert self.release.wait(timeout=30), "the page never showed the progress"

        try:
            from pipeline.models import ImportRun

            run = ImportRun.objects.get(pk=pk)
            services.import_run_execute(run=run, progress=hold, chunk_size=CHUNK)
        finally:
            connection.close()


def progress_shown(watched: Watched, rows: int) -> dict:
    page = watched.page
    wait_until(page, f"document.getElementById('import-progress').value === {rows}", 20)
    bar = page.locator("#import-progress")
    return {
        "max": bar.evaluate("bar => bar.max"),
        "value": bar.evaluate("bar => bar.value"),
        "text": " ".join(page.locator(".import-progress p").inner_text().split()),
    }


@pytest.mark.django_db(transaction=True)
def test_an_admin_imports_a_few_thousand_deals_with_a_progress_bar(
    open_page, admin_user, stages, rep, settings, tmp_path, monkeypatch
):
    from pipeline.models import Deal, ImportRun

    settings.VAR_DIR = tmp_path
    admin_user.set_password("pacer-demo")
    admin_user.save()
    worker = HeldWorker()
    monkeypatch.setattr(views, "_queue", worker.queue)
    body = "".join(
        f"B-{n:05d},Deal {n},rep,Proposal,{n % 900 + 100},2026-01-02,\n" for n in range(ROWS)
    )
    watched = open_page()
    watched.sign_in("ops")
    page = watched.page

    page.goto(watched.base + "/imports/")
    page.set_input_files(
        "input[name=file]",
        {"name": "deals.csv", "mimeType": "text/csv", "buffer": (HEADER + body).encode()},
    )
    page.select_option("select[name=kind]", "deals")
    with page.expect_navigation():
        page.click("text=Check the file (dry run)")
    checked = ImportRun.objects.get()
    assert page.url.endswith(f"/imports/{checked.pk}/")
    assert progress_shown(watched, CHUNK) == {
        "max": ROWS,
        "value": CHUNK,
        "text": f"{CHUNK} of {ROWS} rows read (17%)",
    }
    screenshot(watched, "import-dry-run-running")
    with page.expect_navigation():  # the page reloads once the dry run is done
        worker.release.set()
    assert page.locator("[data-field=status_label]").inner_text() == "Valid (dry run)"
    assert page.locator("[data-field=created]").inner_text() == str(ROWS)
    assert not Deal.objects.exists()
    screenshot(watched, "import-dry-run-valid")

    with page.expect_navigation():
        page.click("text=Apply this import")
    run = ImportRun.objects.get(dry_run=False)
    assert page.url.endswith(f"/imports/{run.pk}/")
    assert progress_shown(watched, CHUNK)["text"] == f"{CHUNK} of {ROWS} rows read (17%)"
    screenshot(watched, "import-apply-running")
    with page.expect_navigation():
        worker.release.set()
    for thread in worker.threads:
        thread.join(timeout=30)

    assert page.locator("[data-field=status_label]").inner_text() == "Applied"
    tiles = page.locator(".tiles dd").all_inner_texts()
    assert tiles == [str(ROWS), "0", "0", "0"]
    bar = page.locator("#import-progress")
    assert (bar.evaluate("bar => bar.value"), bar.evaluate("bar => bar.max")) == (ROWS, ROWS)
    assert progress_shown(watched, ROWS)["text"] == f"{ROWS} of {ROWS} rows read (100%)"
    assert Deal.objects.count() == ROWS
    assert watched.problems == []
    screenshot(watched, "import-applied")
    page.goto(watched.base + f"/imports/{checked.pk}/")
    assert page.locator("#applied-by").inner_text() == f"Applied by import #{run.pk} (Applied)."
