"""Playwright (sync API) driving Debian's chromium against pytest-django's live server.

Without /usr/bin/chromium the browser tests are skipped, except in CI (CI=true), where a missing
browser is a failure: .ci/run installs it. Screenshots go to test-artifacts/screenshots/.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the main thread; the ORM calls the tests make
# (loading data, reading it back) are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DEMO_SCALE = 0.05
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the browser tests: {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def browser_session_cookies(settings) -> None:
    """Chromium keeps real time while the server's clock is pinned (tests/clock.py): cookies
    that last for the browser session cannot have expired before they are sent."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None


@pytest.fixture
def demo(transactional_db, settings) -> dict:
    """The demo company at a small scale, committed so the live server's thread sees it."""
    from demo.build import demo_load

    settings.PACER_DASHBOARD_CACHE_SECONDS = 0
    return demo_load(seed=7, scale=DEMO_SCALE)


# Listens from before any page script runs: what the Content-Security-Policy refused.
CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (event) => window.__csp.push(`${event.effectiveDirective} ${event.blockedURI}`));
"""


def wait_until(page, expression: str, timeout: float = 30) -> None:
    """Poll a JS expression until it is truthy. Playwright's wait_for_function evaluates its
    predicate with eval inside the page, which the Content-Security-Policy refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(100)


class Watched:
    """A page with every console error, failed request, HTTP error and refusal by the
    Content-Security-Policy it met."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        self.allowed_statuses: set[int] = set()

    def _console(self, message) -> None:
        expected = any(f"status of {code} " in message.text for code in self.allowed_statuses)
        if message.type == "error" and not expected:
            self.problems.append(f"console error: {message.text}")

    def _failed(self, request) -> None:
        self.problems.append(f"failed request: {request.url} {request.failure}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.status not in self.allowed_statuses:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def csp_refused(self) -> list[str]:
        return self.page.evaluate("window.__csp")

    def sign_in(self, username: str) -> None:
        page = self.page
        page.goto(self.base + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "pacer-demo")
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.wait_for_load_state("load")

    def charts_ready(self) -> int:
        """Wait until dashboards.js has drawn every figure; the number drawn."""
        wait_until(self.page, "document.body.dataset.charts")
        assert self.page.evaluate("document.body.dataset.charts") == "ready", self.problems
        return int(self.page.evaluate("document.body.dataset.chartCount"))


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def make(viewport: dict = LAPTOP) -> Watched:
        context = browser.new_context(viewport=viewport)
        context.add_init_script(CSP_WATCH)
        contexts.append(context)
        return Watched(context.new_page(), live_server.url)

    yield make
    for context in contexts:
        context.close()


def screenshot(watched: Watched, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    watched.page.screenshot(path=str(path), full_page=True)
    return path
