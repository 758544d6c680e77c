"""Each role's dashboard in a real browser: drawn with no error at laptop and phone width,
a filter change changes the numbers, drill-downs add up to what they explain, and a rep cannot
open a manager's page. One test per role, so the demo company is built four times only."""

import re
from decimal import Decimal

from tests.browser.conftest import LAPTOP, PHONE, Watched, screenshot

HOMES = {
    "rep": "/dashboards/rep/",
    "manager": "/dashboards/team/",
    "exec": "/dashboards/company/",
    "admin": "/dashboards/data-health/",
}


def money(text: str) -> Decimal:
    """`1,234.50 USD` as a number."""
    return Decimal(re.sub(r"[^\d.\-]", "", text.replace("USD", "")))


def busiest_rep() -> str:
    """The rep with the most open deals. The demo is built up to today and the browser tests
    build it small, so on some days a given rep has no open deal and two charts are empty."""
    from django.db.models import Count, Q

    from org.models import Role, User

    reps = User.objects.filter(role=Role.REP).annotate(
        open=Count("deals", filter=Q(deals__status="open"))
    )
    return reps.order_by("-open", "username").values_list("username", flat=True).first()


def lands_drawn(open_page, role: str, least_charts: int, username: str | None = None) -> Watched:
    """Sign in at phone and at laptop width: the role's page, every chart drawn, no error,
    nothing wider than the screen; a full-page screenshot of each. Returns the laptop page.

    A chart without data in its period (early on the first day of a month, say) shows its empty
    state instead: `least_charts` counts both."""
    for name, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        watched = open_page(viewport)
        watched.sign_in(username or role)
        assert watched.page.url.endswith(HOMES[role])
        drawn = watched.charts_ready()
        empty = watched.page.locator("[data-empty]").count()
        assert drawn == watched.page.locator("[data-figure]").count()
        assert drawn + empty >= least_charts
        assert watched.page.locator(".plot .main-svg, .spark .main-svg").count() >= drawn
        assert watched.problems == [] and watched.csp_refused() == []
        overflow = watched.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{role} at {name} width is {overflow}px too wide"
        assert clipped_tiles(watched.page) == [], f"{role} at {name} width"
        screenshot(watched, f"{role}-{name}")
    return watched


def clipped_tiles(page) -> list[str]:
    """Tile labels and values whose text is wider than their box (cut off or hidden)."""
    return page.evaluate(
        """Array.from(document.querySelectorAll(".tile-label, .tile-value, .tile-value a"))
          .filter((element) => element.scrollWidth > element.clientWidth)
          .map((element) => element.textContent.trim())"""
    )


def drill_adds_up(watched: Watched, tile: str) -> None:
    """Click a tile: the rows listed add up to the figure the tile showed."""
    page = watched.page
    value = page.locator(f'[data-tile="{tile}"] .tile-value')
    link = value.locator("a")
    assert re.fullmatch(r"-?[\d.]+[kMB]? USD", link.inner_text()), link.inner_text()  # compact
    shown = money(value.get_attribute("title"))  # exact on hover
    with page.expect_navigation():
        link.click()
    assert "/dashboards/rows/deals/" in page.url
    assert money(page.locator("[data-total]").inner_text()) == shown
    count = int(page.locator("[data-count]").get_attribute("data-count"))
    assert count > 0 or shown == 0
    if count <= 50:  # every row is on this page: add them up as shown
        cells = page.locator("table[data-rows] tbody tr td:last-child")
        values = cells.evaluate_all("cells => cells.map(cell => cell.dataset.value)")
        assert len(values) == count
        assert sum(Decimal(value or 0) for value in values) == shown
    page.go_back()
    watched.charts_ready()


def test_rep(demo, open_page):
    watched = lands_drawn(open_page, "rep", 5, busiest_rep())
    page = watched.page
    assert "Team" not in page.locator("nav.pages").inner_text()
    drill_adds_up(watched, "pipeline_amount")
    drill_adds_up(watched, "won_quarter")
    # A bar of a chart drills down to its deals.
    with page.expect_navigation():
        page.locator("#stages .bars .point path").first.click(force=True)
    assert "/dashboards/rows/deals/" in page.url and "stage=" in page.url
    assert int(page.locator("[data-count]").get_attribute("data-count")) > 0
    assert watched.problems == []
    # A manager's, an executive's and the admin's pages are refused.
    watched.allowed_statuses = {403}
    for url in ("/dashboards/team/", "/dashboards/company/", "/dashboards/data-health/"):
        assert page.goto(watched.base + url).status == 403, url
    # Another rep's deal and account pages do not exist for this rep.
    watched.allowed_statuses = {404}
    theirs = others_deal(busiest_rep())
    assert page.goto(f"{watched.base}/deals/{theirs.pk}/").status == 404
    assert page.goto(f"{watched.base}/accounts/{theirs.account_id}/").status == 404
    assert watched.problems == []


def others_deal(username: str):
    """A deal with an account, owned by someone else, on an account the rep has nothing on."""
    from pipeline.models import Deal

    mine = Deal.objects.filter(owner__username=username).values("account_id")
    return (
        Deal.objects.exclude(owner__username=username)
        .exclude(account_id__in=mine)
        .exclude(account__owner__username=username)
        .exclude(account=None)
        .first()
    )


def test_manager(demo, open_page):
    watched = lands_drawn(open_page, "manager", 3)
    page = watched.page
    drill_adds_up(watched, "revenue")
    # Picking one rep in the scope bar submits the form: the URL and the numbers change.
    tile = page.locator('[data-tile="pipeline_amount"] .tile-value')
    team = money(tile.get_attribute("title"))
    value = page.locator('select[name="rep"] option').nth(1).get_attribute("value")
    with page.expect_navigation():
        page.select_option('select[name="rep"]', value)
    watched.charts_ready()
    assert f"rep={value}" in page.url
    assert page.locator('select[name="rep"]').input_value() == value
    assert money(tile.get_attribute("title")) < team
    assert watched.problems == []
    reaches_a_deal_and_its_account(watched)


def reaches_a_deal_and_its_account(watched: Watched) -> None:
    """From the leaderboard's top rep to their won deals, a deal's page with its history and
    credit, and its account's page."""
    page = watched.page
    page.goto(watched.base + HOMES["manager"])
    with page.expect_navigation():
        page.locator("#panel-leaderboard tbody tr").first.locator(
            "td a[href*='measure=won']"
        ).click()
    assert "/dashboards/rows/deals/" in page.url
    deal = page.locator("table[data-rows] a[href^='/deals/']").first
    name = deal.inner_text()
    with page.expect_navigation():
        deal.click()
    assert re.search(r"/deals/\d+/$", page.url)
    assert page.locator("h1").inner_text() == name
    assert page.locator("[data-history] > li").count() >= 2  # created, then won
    assert "Won" in page.locator("[data-history]").inner_text()
    credit = page.locator("section[aria-labelledby=deal-credit]").inner_text()
    assert "As they stood on" in credit
    screenshot(watched, "deal-page")
    with page.expect_navigation():
        page.locator(".facts a[href^='/accounts/']").click()
    assert re.search(r"/accounts/\d+/$", page.url)
    assert page.locator(f"#panel-deals a:text-is('{name}')").count() == 1
    screenshot(watched, "account-page")
    assert watched.problems == [] and watched.csp_refused() == []


def test_executive(demo, open_page):
    watched = lands_drawn(open_page, "exec", 10)
    assert "No forecast yet" in watched.page.locator("#panel-forecast").inner_text()


def test_admin(demo, open_page):
    watched = lands_drawn(open_page, "admin", 0)
    assert "Deals without an owner" in watched.page.inner_text("main")
