"""An admin imports a Salesforce Opportunities report in the browser with its preset: the dry
run lists the owners and accounts it will create and warns that the file has no IDs; the
apply creates them, and the KPIs are those worked out from the file's rows."""

from pathlib import Path

import pytest
from django.shortcuts import redirect

from imports import services, views
from tests.browser.conftest import LAPTOP, PHONE, screenshot

FILE = Path(__file__).resolve().parents[1] / "imports" / "files" / "salesforce_opportunities.csv"


def run_now(run):
    """The worker's job, done in the request: the page shows the finished run."""
    services.import_run_execute(run=run)
    return redirect("imports:run", pk=run.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [LAPTOP | {"width": 1440}, PHONE], ids=["1440", "390"])
def test_an_admin_imports_a_salesforce_report_with_its_preset(
    open_page, admin_user, settings, tmp_path, monkeypatch, viewport
):
    from metrics.scope import Scope
    from metrics.service import kpi_panel
    from org.models import User
    from pipeline.models import Deal, ImportRun

    settings.VAR_DIR = tmp_path
    admin_user.set_password("pacer-demo")
    admin_user.save()
    monkeypatch.setattr(views, "_queue", run_now)
    watched = open_page(viewport)
    watched.sign_in("ops")
    page = watched.page
    width = viewport["width"]

    page.goto(watched.base + "/imports/")
    options = page.locator("select[name=mapping] optgroup[label='CRM exports'] option")
    assert "Salesforce: Opportunities report" in options.all_inner_texts()
    page.set_input_files("input[name=file]", str(FILE))
    page.select_option("select[name=mapping]", label="Salesforce: Opportunities report")
    screenshot(watched, f"crm-preset-upload-{width}")
    with page.expect_navigation():
        page.click("text=Check the file (dry run)")

    assert page.locator("[data-field=status_label]").inner_text() == "Valid (dry run)"
    assert page.locator("[data-field=created]").inner_text() == "5"
    assert "no ID column" in page.locator("[data-warning]").inner_text()
    named = page.locator("#import-named li").all_inner_texts()
    assert named == ["Accounts: Acme Corp, Globex, Initech", "Users: Anna Snelling, Boris Novak"]
    assert not Deal.objects.exists()
    screenshot(watched, f"crm-preset-dry-run-{width}")

    with page.expect_navigation():
        page.click("text=Apply this import")
    assert page.locator("[data-field=status_label]").inner_text() == "Applied"
    assert ImportRun.objects.filter(dry_run=False, status="applied").count() == 1
    assert page.locator("#import-named p").first.inner_text().startswith("Also created")
    screenshot(watched, f"crm-preset-applied-{width}")
    assert watched.problems == []

    assert not User.objects.get(username="boris.novak").has_usable_password()
    total = kpi_panel(Scope.everything()).total
    # Won 12,500 + 4,000; open 8,000 at its own 60 % and 2,000 at Prospecting's 10 %.
    assert (total["revenue"], total["pipeline_amount"]) == (16500, 10000)
    assert total["weighted_pipeline"] == 8000 * 60 / 100 + 2000 * 10 / 100
