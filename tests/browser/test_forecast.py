"""The forecast page in a real browser: a manager submits a call and finds it in the roll-up
and the history; an executive sets calls against the roll-up and the model and drills a commit
cell to deals that add up to it. Both at phone and laptop width, with no error."""

from decimal import Decimal

from tests.browser.conftest import LAPTOP, PHONE, Watched, screenshot

CALL, ROLLUP, MODEL = 5, 6, 7  # grid columns after the scope's name (data-col)


def opened(open_page, username: str, viewport: dict, name: str) -> Watched:
    watched = open_page(viewport)
    watched.sign_in(username)
    watched.page.goto(watched.base + "/forecast/")
    assert watched.page.locator("table[data-grid] tbody tr").count() >= 1
    assert watched.problems == [] and watched.csp_refused() == []
    overflow = watched.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} is {overflow}px too wide"
    screenshot(watched, name)
    return watched


def cell(watched: Watched, row: int, column: int):
    return watched.page.locator(f"table[data-grid] tbody tr >> nth={row}").locator(
        f'td[data-col="{column}"]'
    )


def test_a_manager_submits_a_call_and_sees_it_in_the_roll_up_and_the_history(demo, open_page):
    opened(open_page, "manager", PHONE, "forecast-manager-phone")
    watched = opened(open_page, "manager", LAPTOP, "forecast-manager-laptop")
    page = watched.page
    assert page.locator("nav.pages a", has_text="Forecast").count() == 1
    page.fill("#id_commit", "-5")
    page.fill("#id_comment", "too low")
    watched.allowed_statuses = {400}
    with page.expect_navigation():
        page.click("[data-call-form] button[type=submit]")
    assert page.locator(".call-form .error", has_text="The commit cannot be negative.").count()
    page.fill("#id_commit", "123456.78")
    page.fill("#id_best_case", "150000")
    page.fill("#id_comment", "Two renewals slip to January")
    with page.expect_navigation():
        page.click("[data-call-form] button[type=submit]")
    assert page.locator("p.notice", has_text="Your call for").count() == 1
    assert cell(watched, 0, CALL).get_attribute("data-value") == "123456.78"
    assert "best 150,000.00" in cell(watched, 0, CALL).inner_text()
    # The demo manager called the quarter twice before; the newest call comes first and
    # says what it changed from the one before.
    history = page.locator("table[data-history] tbody tr")
    assert history.count() == 3
    newest = history.first.inner_text()
    assert "Two renewals slip to January" in newest
    assert "commit " in newest and "→ 123,456.78" in newest and "→ 150,000.00" in newest
    assert "first call" in history.last.inner_text()
    screenshot(watched, "forecast-manager-called")


def test_an_executive_sets_calls_against_roll_up_and_model_and_drills_commit(demo, open_page):
    from core.periods import period_containing
    from forecasting.services import forecast_call_make, forecast_run
    from org.models import User
    from tests.clock import TODAY

    forecast_run(as_of=TODAY)
    manager = User.objects.get(username="manager")
    forecast_call_make(
        by=manager,
        scope_kind="manager",
        scope_key=str(manager.pk),
        period_kind="quarter",
        period_start=period_containing(TODAY, "quarter").start,
        amount=Decimal("1000.00"),
        best_case=Decimal("2000.00"),
        comment="called for the browser test",
    )
    opened(open_page, "exec", PHONE, "forecast-exec-phone")
    watched = opened(open_page, "exec", LAPTOP, "forecast-exec-laptop")
    page = watched.page
    headings = page.locator("table[data-grid] thead th").all_inner_texts()
    assert headings[CALL + 1 : MODEL + 2] == ["Call", "Roll-up of calls", "Model forecast"]
    rows = page.locator("table[data-grid] tbody tr")
    called = [i for i in range(rows.count()) if cell(watched, i, CALL).get_attribute("data-value")]
    assert called, "the manager's call shows in the executive's grid"
    for i in range(rows.count()):
        assert cell(watched, i, ROLLUP).get_attribute("data-value")
        assert cell(watched, i, MODEL).get_attribute("data-value")  # the run's blend
    commit = cell(watched, 1, 1)  # the first team's commit
    shown = Decimal(commit.get_attribute("data-value"))
    with page.expect_navigation():
        commit.locator("a").click()
    assert "/forecast/deals/" in page.url
    total = page.locator("[data-total]").inner_text()
    assert Decimal(total.replace(",", "").split()[0]) == shown
    count = int(page.locator("[data-count]").get_attribute("data-count"))
    assert count > 0 or shown == 0
    if count <= 50:
        amounts = page.locator("table[data-rows] tbody tr td:last-child").evaluate_all(
            "cells => cells.map(cell => cell.dataset.value)"
        )
        assert len(amounts) == count
        assert sum(Decimal(value or 0) for value in amounts) == shown
    screenshot(watched, "forecast-exec-drill")
    assert watched.problems == []
