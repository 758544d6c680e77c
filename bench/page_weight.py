"""What each role's home page costs a browser: bytes on a first and a repeat visit, and LCP.

Run it against a running Pacer with the demo loaded, e.g. `make run` in one shell, then
    .venv/bin/python bench/page_weight.py [--url http://127.0.0.1:8000]
It drives Debian's headless chromium. A first visit starts with an empty browser cache (the
sign-in is posted outside the page, so nothing is cached by it); the repeat visit opens the
same page again in the same browser. Bytes are as transferred (compressed, headers included),
from Chromium's own network events. LCP is the page's largest contentful paint, from its
PerformanceObserver, on the first visit.
"""

import argparse
import re
import sys
from dataclasses import dataclass

from playwright.sync_api import sync_playwright

HOMES = {
    "rep": "/dashboards/rep/",
    "manager": "/dashboards/team/",
    "exec": "/dashboards/company/",
    "admin": "/dashboards/data-health/",
}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
WATCH_LCP = """
window.__lcp = null;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__lcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
"""
GOALS = {"first": 1_500_000, "repeat": 100_000, "lcp": 1000}


@dataclass
class Visit:
    bytes: int
    requests: int
    lcp_ms: float | None


def sign_in(context, base: str, username: str, password: str) -> None:
    """Post the sign-in form through the context's own request client (same cookies)."""
    login = context.request.get(base + "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text())
    assert token, "no sign-in form"
    answer = context.request.post(
        base + "/accounts/login/",
        form={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": base + "/accounts/login/"},
    )
    assert answer.ok and "/accounts/login/" not in answer.url, f"{username} could not sign in"


def visit(page, cdp, url: str) -> Visit:
    received: list[int] = []
    listener = lambda event: received.append(int(event["encodedDataLength"]))  # noqa: E731
    cdp.on("Network.loadingFinished", listener)
    page.goto(url, wait_until="load")
    page.wait_for_selector("body[data-charts]", timeout=60_000)
    page.wait_for_load_state("networkidle")
    lcp = page.evaluate("window.__lcp")
    cdp.remove_listener("Network.loadingFinished", listener)
    return Visit(sum(received), sum(1 for size in received if size), lcp)


def measure(browser, base: str, role: str, password: str) -> tuple[Visit, Visit]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(WATCH_LCP)
    sign_in(context, base, role, password)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    first = visit(page, cdp, base + HOMES[role])
    repeat = visit(page, cdp, base + HOMES[role])
    context.close()
    return first, repeat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default="pacer-demo")
    options = parser.parse_args()
    within = True
    heads = ("first visit", "requests", "repeat visit", "requests")
    print(f"{'page':<10}{heads[0]:>14}{heads[1]:>10}{heads[2]:>14}{heads[3]:>10}{'LCP':>9}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for role in HOMES:
            first, repeat = measure(browser, options.url.rstrip("/"), role, options.password)
            lcp = "—" if first.lcp_ms is None else f"{first.lcp_ms:,.0f} ms"
            print(f"{role:<10}{first.bytes:>14,}{first.requests:>10}{repeat.bytes:>14,}"
                  f"{repeat.requests:>10}{lcp:>9}")  # fmt: skip
            within &= first.bytes <= GOALS["first"] and repeat.bytes <= GOALS["repeat"]
            within &= first.lcp_ms is not None and first.lcp_ms <= GOALS["lcp"]
        browser.close()
    print(
        f"goals: first visit <= {GOALS['first']:,} B, repeat <= {GOALS['repeat']:,} B, "
        f"LCP <= {GOALS['lcp']:,} ms: {'met' if within else 'NOT met'}"
    )
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
