"""The plan designer: a plan, any number of components (commissions with their rate tables,
SPIFs, bonuses at thresholds) and its assignments saved from one page, each problem said where
it is, and a plan already on statements changed as a new version from a date."""

from datetime import date
from decimal import Decimal

import pytest

from compensation.models import CompPlan, PlanAssignment, PlanComponent, Statement
from compensation.services import statements_close
from quotas.models import Quota
from tests.compensation.conftest import FEB, JAN, MAR, NOW, won_deal
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal
NEW = "/compensation/plans/new/"
COMMISSION = {"name": "Commission", "kind": "commission", "base": "bookings"}


def _rows(prefix: str, names: tuple, rows) -> dict:
    """A formset's rows, and a blank one after them as the page sends."""
    rows = [*rows, ("",) * len(names)]
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for number, row in enumerate(rows):
        data |= {f"{prefix}-{number}-{name}": value for name, value in zip(names, row, strict=True)}
    return data


def plan_data(components, assignments=(), initial_components: int = 0, **fields) -> dict:
    """The designer's POST: plan fields, components (each with `tiers` and `thresholds` as
    pairs of strings) and assignments (rep id, from, until)."""
    data = {
        "name": "Hunter", "start": "2026-01-01", "period": "month", "quota_metric": "bookings",
        "currency": "USD", "margin_percent": "0", "clawback_days": "0", "draw_recoverable": "on",
        "components-TOTAL_FORMS": str(len(components)),
        "components-INITIAL_FORMS": str(initial_components),
    }  # fmt: skip
    for number, component in enumerate(components):
        prefix = f"components-{number}"
        tiers, thresholds = component.get("tiers", []), component.get("thresholds", [])
        data |= _rows(f"{prefix}-tiers", ("floor", "rate"), tiers)
        data |= _rows(f"{prefix}-thresholds", ("attainment", "amount"), thresholds)
        plain = {k: v for k, v in component.items() if k not in ("tiers", "thresholds")}
        data |= {f"{prefix}-{name}": value for name, value in plain.items()}
    rows = [(str(rep.pk), start, end) for rep, start, end in assignments]
    data |= _rows("assignments", ("rep", "start", "end"), rows)
    return data | fields


def design(client, url: str, tiers, reps=(), **fields):
    """A plan with one commission on `tiers`, its reps on it from the plan's start."""
    component = COMMISSION | {"tiers": tiers}
    return client.post(url, plan_data([component], [(r, "", "") for r in reps], **fields))


def test_an_admin_designs_a_tiered_plan_and_assigns_it(client, admin_user, rep):
    client.force_login(admin_user)

    answer = design(client, NEW, [("0", "5"), ("100", "12"), ("", "")], reps=[rep])

    plan = CompPlan.objects.get(name="Hunter")
    assert answer.url == f"/compensation/plans/{plan.pk}/"
    commission = plan.components.get(kind="commission")
    assert list(commission.tiers.values_list("floor", "rate")) == [(0, 5), (100, 12)]
    assert PlanAssignment.objects.get(rep=rep).start == JAN


def test_two_commissions_two_spifs_and_a_bonus_pay_what_was_designed(
    client, admin_user, rep, stages
):
    widget = ProductFactory(name="Widget")
    client.force_login(admin_user)
    components = [
        {"name": "Core", "kind": "commission", "base": "bookings",
         "tiers": [("0", "5"), ("100", "10")]},
        {"name": "Margin kicker", "kind": "commission", "base": "margin", "tiers": [("0", "10")]},
        {"name": "Widget SPIF", "kind": "spif", "spif_product": str(widget.pk),
         "spif_fixed": "250", "spif_from": "2026-01-01", "spif_to": "2026-03-31"},
        {"name": "Big deal SPIF", "kind": "spif", "spif_min_amount": "8000", "spif_percent": "1"},
        {"name": "Club", "kind": "bonus", "thresholds": [("100", "1000"), ("150", "500")]},
    ]  # fmt: skip
    client.post(NEW, plan_data(components, [(rep, "", "")], margin_percent="40"))
    Quota.objects.create(rep=rep, metric="bookings", period="month", start=JAN, amount=10_000)
    won_deal(stages, rep, "6000", date(2026, 1, 5), product=widget)
    won_deal(stages, rep, "9000", date(2026, 1, 20))

    statements_close(period="month", start=JAN, by=admin_user, now=NOW)

    plan = CompPlan.objects.get()
    kinds = list(plan.components.values_list("name", "kind", "order"))
    assert kinds == [("Core", "commission", 1), ("Margin kicker", "commission", 2),
                     ("Widget SPIF", "spif", 3), ("Big deal SPIF", "spif", 4),
                     ("Club", "bonus", 5)]  # fmt: skip
    # 15,000 won on a 10,000 quota: 150 %.
    # Core: 6,000 x 5 % + 4,000 x 5 % + 5,000 x 10 % = 1,000.  Margin: 15,000 x 40 % x 10 % = 600.
    # Widget SPIF: 250 on the first deal.  Big deal SPIF: 9,000 x 1 % = 90.
    # Club: 1,000 at 100 % and 500 at 150 %.  Total 3,440.
    statement = Statement.objects.get(rep=rep, start=JAN)
    by_component: dict[str, Decimal] = {}
    for line in statement.lines.all():
        by_component[line.component] = by_component.get(line.component, D(0)) + line.amount
    assert by_component == {"Core": D(1000), "Margin kicker": D(600), "Widget SPIF": D(250),
                            "Big deal SPIF": D(90), "Club": D(1500)}  # fmt: skip
    assert statement.total == D(3440)


def test_plan_wide_terms_are_saved(client, admin_user, manager):
    client.force_login(admin_user)
    terms = {"end": "2026-12-31", "period": "quarter", "currency": "EUR", "cap": "20000",
             "draw": "1500", "clawback_days": "90", "team_override": "on"}  # fmt: skip
    data = plan_data([COMMISSION | {"cap": "5000", "tiers": [("0", "3")]}], **terms)
    del data["draw_recoverable"]

    client.post(NEW, data)

    plan = CompPlan.objects.get()
    saved = (plan.end, plan.period, plan.currency, plan.cap, plan.draw, plan.draw_recoverable)
    assert saved == (date(2026, 12, 31), "quarter", "EUR", D(20000), D(1500), False)
    assert (plan.clawback_days, plan.team_override) == (90, True)
    assert plan.components.get().cap == D(5000)


def test_assignments_have_their_own_dates_and_an_overlap_says_which_row(
    client, admin_user, rep, other_rep
):
    client.force_login(admin_user)
    other = CompPlan.objects.create(name="Old", start=date(2025, 1, 1))
    PlanAssignment.objects.create(rep=other_rep, plan=other, start=date(2025, 1, 1))
    component = COMMISSION | {"tiers": [("0", "5")]}

    refused = client.post(
        NEW, plan_data([component], [(rep, "2026-02-01", "2026-06-30"), (other_rep, "", "")])
    )
    client.post(NEW, plan_data([component], [(rep, "2026-02-01", "2026-06-30")]))

    assert refused.status_code == 400
    assert f"Assignment 2: {other_rep}: This rep is already on a plan" in refused.content.decode()
    on = PlanAssignment.objects.get(rep=rep)
    assert (on.plan.name, on.start, on.end) == ("Hunter", FEB, date(2026, 6, 30))
    assert PlanAssignment.objects.count() == 2


def test_a_bad_rate_table_says_which_component_and_row_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    first = COMMISSION | {"tiers": [("0", "5")]}
    second = {"name": "Accelerator", "kind": "commission", "base": "bookings"}

    typed = client.post(NEW, plan_data([first, second | {"tiers": [("0", "5"), ("100", "x")]}]))
    climbing = client.post(NEW, plan_data([first, second | {"tiers": [("10", "5"), ("5", "")]}]))
    unordered = client.post(NEW, plan_data([first, second | {"tiers": [("0", "5"), ("0", "8")]}]))

    assert typed.status_code == 400
    assert (
        "Component 2 (Accelerator), tier row 2, Rate %: Enter a number." in typed.content.decode()
    )
    page = climbing.content.decode()
    assert (
        "Component 2 (Accelerator), tier row 2: give both the attainment % and the rate %." in page
    )
    page = unordered.content.decode()
    assert (
        "Component 2 (Accelerator): tier row 2 starts at 0 %, not above row 1&#x27;s 0 %." in page
    )
    assert not CompPlan.objects.exists()


def test_one_pass_names_the_problems_of_every_component(client, admin_user):
    client.force_login(admin_user)
    first = COMMISSION | {"cap": "-1", "tiers": [("0", "5")]}
    second = {"name": "Accelerator", "kind": "commission", "base": "bookings"}

    answer = client.post(NEW, plan_data([first, second | {"tiers": [("10", "5")]}], name=""))

    page = answer.content.decode()
    assert "Plan, Name: This field is required." in page
    assert "Component 1 (Commission), Cap per period: Ensure this value is greater than or" in page
    assert "Component 2 (Accelerator): tier row 1 starts at 10 %: the first tier starts" in page
    assert 'aria-label="Tier row 1, Rate %"' in page
    assert not CompPlan.objects.exists()


def test_components_are_checked_by_kind_and_name(client, admin_user):
    client.force_login(admin_user)
    commission = COMMISSION | {"tiers": [("0", "5")]}
    both = {"name": "SPIF", "kind": "spif", "spif_fixed": "100", "spif_percent": "2"}
    empty_bonus = {"name": "Club", "kind": "bonus"}

    answer = client.post(NEW, plan_data([commission, both, empty_bonus, commission]))

    page = answer.content.decode()
    assert "Component 2 (SPIF): a SPIF pays either a fixed amount per deal or a percent" in page
    assert "Component 3 (Club): give at least one threshold." in page
    assert "Component 4 (Commission): another component already has this name." in page
    assert not CompPlan.objects.exists()


def test_a_component_is_removed_and_another_added_on_a_plan_not_yet_paid(client, admin_user):
    client.force_login(admin_user)
    kicker = {"name": "Kicker", "kind": "commission", "base": "bookings", "tiers": [("0", "2")]}
    client.post(NEW, plan_data([COMMISSION | {"tiers": [("0", "5")]}, kicker]))
    plan = CompPlan.objects.get()
    page = client.get(f"/compensation/plans/{plan.pk}/").content.decode()
    removed = COMMISSION | {"DELETE": "on", "tiers": [("0", "5")]}
    club = {"name": "Club", "kind": "bonus", "thresholds": [("120", "750")]}

    client.post(f"/compensation/plans/{plan.pk}/", plan_data([removed, kicker, club], [], 2))

    assert 'value="Kicker"' in page and 'name="components-1-tiers-0-rate" value="2"' in page
    names = list(plan.components.values_list("name", flat=True))
    assert (CompPlan.objects.get(), names) == (plan, ["Kicker", "Club"])
    club = PlanComponent.objects.get(name="Club")
    assert list(club.thresholds.values_list("attainment", "amount")) == [(120, 750)]
    assert "<td>Kicker, Club</td>" in client.get("/compensation/plans/").content.decode()


def test_editing_a_plan_in_force_starts_a_new_version_and_old_statements_keep_theirs(
    client, admin_user, rep, other_rep, stages
):
    client.force_login(admin_user)
    design(client, NEW, [("0", "10")], reps=[rep])
    plan = CompPlan.objects.get()
    won_deal(stages, rep, "1000", date(2026, 1, 9))
    statements_close(period="month", start=JAN, by=admin_user, now=NOW)
    url = f"/compensation/plans/{plan.pk}/"
    onward = [(rep, "2026-01-01", ""), (other_rep, "2026-03-01", "")]
    spif = {"name": "Every deal", "kind": "spif", "spif_fixed": "50"}
    changed = [COMMISSION | {"tiers": [("0", "20")]}, spif]

    form = client.get(url).content.decode()
    refused = client.post(url, plan_data(changed, onward, 1, effective="2026-01-15"))
    client.post(url, plan_data(changed, onward, 1, effective="2026-02-01"))

    assert 'name="effective"' in form and 'name="components-0-tiers-0-rate" value="10"' in form
    assert "Closed statements on this plan run past that day" in refused.content.decode()
    plan.refresh_from_db()
    new = CompPlan.objects.exclude(pk=plan.pk).get()
    assert (plan.end, new.start, new.name) == (date(2026, 1, 31), FEB, "Hunter (from 2026-02-01)")
    assert list(plan.components.values_list("name", flat=True)) == ["Commission"]
    assert Statement.objects.get(start=JAN).plan == plan
    assert Statement.objects.get(start=JAN).total == D(100)
    won_deal(stages, rep, "1000", date(2026, 3, 9))
    statements_close(period="month", start=MAR, by=admin_user, now=NOW)
    march = Statement.objects.get(rep=rep, start=MAR)
    assert (march.plan, march.total) == (new, D(250))  # 1,000 x 20 % + 50
    on = PlanAssignment.objects.order_by("start")
    assert [(a.rep, a.plan, a.start, a.end) for a in on] == [
        (rep, plan, JAN, date(2026, 1, 31)),
        (rep, new, FEB, None),
        (other_rep, new, MAR, None),
    ]


def test_only_admins_design_plans(client, rep, manager):
    for who in (rep, manager):
        client.force_login(who)
        assert client.get("/compensation/plans/").status_code == 403
        assert design(client, NEW, [("0", "5")]).status_code == 403
    assert not CompPlan.objects.exists()
