"""Pay end to end in a real browser: an admin designs a tiered plan, assigns it, builds and
closes the month; the rep checks a line's arithmetic on the statement and disputes it; the
admin accepts, and the next statement shows the adjustment."""

from datetime import date
from decimal import Decimal

import pytest

from compensation.models import CompPlan, Dispute, Statement
from pipeline.models import Deal
from quotas.models import Quota
from tests.browser.conftest import PHONE, Watched, screenshot, wait_until

NOVEMBER = date(2026, 11, 1)


def signed_in(open_page, user, viewport=None) -> Watched:
    user.set_password("pacer-demo")
    user.save()
    watched = open_page(viewport) if viewport else open_page()
    watched.sign_in(user.username)
    return watched


def design_plan(admin: Watched, rep) -> None:
    """A tiered commission and, added in the browser, a bonus at 200 % (out of reach here)."""
    page = admin.page
    page.goto(admin.base + "/compensation/plans/new/")
    page.fill("input[name=name]", "Hunter")
    page.fill("input[name=start]", "2026-01-01")
    first = page.locator("fieldset.component").nth(0)
    floors, rates = first.locator("input[name$=-floor]"), first.locator("input[name$=-rate]")
    floors.nth(0).fill("0")
    rates.nth(0).fill("5")
    floors.nth(1).fill("100")
    rates.nth(1).fill("12")
    # 200 % attainment, the chart's right end: 100 x 5 % + 100 x 12 % = 17 % of quota.
    wait_until(page, "document.querySelector('.payout-chart').dataset.last === '17'")
    page.click("#add-component")
    second = page.locator("fieldset.component").nth(1)
    second.locator("input[name$=-name]").fill("Club")
    second.locator("select[name$=-kind]").select_option("bonus")
    second.locator("input[name$=-attainment]").nth(0).fill("200")
    second.locator("input[name$=-amount]").nth(0).fill("1000")
    bonus_chart = "document.querySelectorAll('.component')[1].querySelector('[data-chart=bonus]')"
    wait_until(page, f"{bonus_chart}.dataset.last === '1000'")
    assert int(page.evaluate(f"{bonus_chart}.dataset.points")) > 10
    assert not second.locator("input[name$=-floor]").first.is_visible()
    page.click("#add-component")
    third = page.locator("fieldset.component").nth(2)
    third.locator("input[name$=-name]").fill("Scrapped")
    third.locator("input[name$=-DELETE]").check()
    assert "removed" in (third.get_attribute("class") or "")
    page.locator("select[name=assignments-0-rep]").select_option(str(rep.pk))
    screenshot(admin, "plan-designer")
    with page.expect_navigation():
        page.click("#plan-form button[type=submit]")
    assert "Plan Hunter saved." in page.inner_text("main")


def run(admin: Watched, start: str, action: str = "build") -> None:
    page = admin.page
    page.goto(admin.base + f"/compensation/periods/month/{start}/")
    with page.expect_navigation():
        page.click(f"button[value={action}]")
    wait_until(page, "document.getElementById('statement-run').dataset.done === '1'")
    assert "Done" in page.inner_text("#statement-run")


@pytest.mark.django_db(transaction=True)
def test_a_month_is_designed_run_closed_disputed_and_adjusted_in_the_browser(
    open_page, admin_user, rep, stages
):
    Quota.objects.create(rep=rep, metric="bookings", period="month", start=NOVEMBER, amount=10_000)
    deal = Deal(name="Acme expansion", owner=rep, stage=stages["Won"], amount=Decimal(15_000),
                created_on=date(2026, 10, 1), closed_on=date(2026, 11, 10))  # fmt: skip
    deal.save()
    admin = signed_in(open_page, admin_user)
    design_plan(admin, rep)
    plan = CompPlan.objects.get(name="Hunter")
    assert list(plan.components.values_list("name", "kind")) == [
        ("Commission", "commission"),
        ("Club", "bonus"),
    ]
    phone = open_page(PHONE)
    phone.sign_in(admin_user.username)
    phone.page.goto(phone.base + f"/compensation/plans/{plan.pk}/")
    wait_until(phone.page, "document.body.dataset.charts === 'ready'")
    screenshot(phone, "plan-designer-phone")
    assert phone.problems == [] and phone.csp_refused() == []

    run(admin, "2026-11-01")
    run(admin, "2026-11-01", "close")
    november = Statement.objects.get(rep=rep, start=NOVEMBER)
    assert november.is_closed and november.total == Decimal(1100)

    for viewport, name in ((None, "pay-statement"), (PHONE, "pay-statement-phone")):
        seen = signed_in(open_page, rep, viewport)
        seen.page.goto(seen.base + f"/compensation/statements/{november.pk}/")
        screenshot(seen, name)
    page = seen.page
    row = page.locator("#line-2")
    base, rate, amount = (
        Decimal(row.get_attribute(f"data-{k}")) for k in ("base", "rate", "amount")
    )
    assert (base, rate, amount) == (Decimal(5000), Decimal(12), Decimal(600))
    assert base * rate / 100 == amount
    assert row.locator(".math").inner_text() == "5,000.00 × 12 % = 600"
    page.click("text=Dispute this line >> nth=1")
    form = page.locator("#line-2 + tr form")
    form.locator("input[name=expected]").fill("700")
    form.locator("textarea[name=description]").fill("The upsell slice was at 14 %.")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "raised" in page.inner_text("main")
    dispute = Dispute.objects.get()
    assert (dispute.expected, dispute.actual) == (Decimal(700), Decimal(600))

    admin.page.goto(admin.base + "/compensation/disputes/")
    card = admin.page.locator(f"#dispute-{dispute.pk}")
    card.locator("textarea[name=note]").fill("Agreed: the upsell rate applies")
    with admin.page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert "accepted" in admin.page.inner_text("main")
    run(admin, "2026-12-01")

    december = Statement.objects.get(rep=rep, start=date(2026, 12, 1))
    page.goto(seen.base + f"/compensation/statements/{december.pk}/")
    adjustments = page.inner_text("#adjustments")
    assert "Agreed: the upsell rate applies" in adjustments and "100.00" in adjustments
    assert page.inner_text("#total-exact") == "100.00 USD"
    assert admin.problems == [] and seen.problems == []
    assert admin.csp_refused() == [] and seen.csp_refused() == []
