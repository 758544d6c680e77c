"""Quota planning services: the grid's roll-ups and gap, top-down allocation by each method,
seasonality, ramps, and saving an allocation. Expected amounts are worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from org.models import AuditEntry, User
from pipeline.models import Deal
from planning.selectors.quotas import seasonality_learn
from planning.services.quotas import Method, quota_allocation_apply, quota_allocation_preview
from quotas.models import Quota, RampSchedule
from quotas.selectors import quota_grid
from territories.models import Territory, TerritoryAssignment
from tests.quotas.conftest import FEB, JAN, MAR, won

pytestmark = pytest.mark.django_db
D = Decimal


def set_quota(amount: str, kind: str = "quarter", start: date = JAN, **assignee) -> Quota:
    return Quota.objects.create(period=kind, start=start, metric="bookings", amount=D(amount),
                                **assignee)  # fmt: skip


def preview(**fields):
    fields = {"kind": "quarter", "start": JAN, "metric": "bookings", "method": Method.EVEN,
              **fields}  # fmt: skip
    return quota_allocation_preview(**fields)


def by_rep(allocation) -> dict[str, Decimal]:
    return {row.rep.username: row.amount for row in allocation.rows}


def test_the_grid_rolls_up_members_and_shows_the_gap(team, members, other_rep):
    adams, baker, rita = members
    set_quota("300000", team=team)
    for person, amount in ((adams, "120000"), (baker, "100000"), (rita, "110000")):
        set_quota(amount, rep=person)
    set_quota("50000", rep=other_rep)
    west = Territory.objects.create(name="West", kind="region")
    coast = Territory.objects.create(name="Coast", kind="territory", parent=west)
    TerritoryAssignment.objects.create(rep=rita, territory=coast, start=date(2025, 6, 1))
    set_quota("99999", kind="month", rep=adams)  # another period: not in the grid

    rows = quota_grid(
        Quota.objects.all(), User.objects.all(), teams=[team, other_rep.team],
        territories=[west], kind="quarter", start=JAN, metric="bookings",
    )  # fmt: skip

    mine, theirs, region = rows
    # 300,000 set for the team, 330,000 for its reps: over-assigned by 30,000.
    assert [(c.rep.username, c.amount) for c in mine.members] == [
        ("adams", D(120000)), ("baker", D(100000)), ("rep", D(110000)),
    ]  # fmt: skip
    assert (mine.explicit, mine.members_total, mine.rolled_up, mine.gap) == (
        D(300000), D(330000), D(300000), D(-30000),
    )  # fmt: skip
    # No team quota: it is the members' sum, and there is no gap to show.
    assert (theirs.explicit, theirs.rolled_up, theirs.gap) == (None, D(50000), None)
    # The region's reps are those assigned to it or to a territory below it.
    assert ([c.rep.username for c in region.members], region.rolled_up) == (["rep"], D(110000))


def test_the_grid_only_shows_the_people_in_scope(team, members):
    set_quota("120000", rep=members[0])

    rows = quota_grid(
        Quota.objects.filter(rep=members[0]), User.objects.filter(pk=members[0].pk),
        teams=[team], territories=[], kind="quarter", start=JAN, metric="bookings",
    )  # fmt: skip

    assert [(c.rep.username, c.amount) for c in rows[0].members] == [("adams", D(120000))]


def test_an_even_split_over_a_quarter_gives_leftover_cents_to_the_first_rep_and_month(
    team, members
):
    allocation = preview(team=team, total=D("100000.00"))

    # 100,000 over 3 reps x 3 months = 11,111.111... a cell: 11,111.11 each is 99,999.99, and
    # the missing cent goes to the first cell (Adams, January).
    assert by_rep(allocation) == {"adams": D("33333.34"), "baker": D("33333.33"),
                                  "rep": D("33333.33")}  # fmt: skip
    assert allocation.rows[0].months == {
        JAN: D("11111.12"), FEB: D("11111.11"), MAR: D("11111.11"),
    }  # fmt: skip
    assert allocation.gap == D(0)


def test_prior_year_actuals_weight_the_split(stages, team, members):
    adams, baker, _ = members
    won(stages, adams, "30000", date(2025, 2, 10))
    won(stages, baker, "10000", date(2025, 3, 31))
    won(stages, baker, "50000", date(2025, 4, 1))  # after the same quarter last year

    allocation = preview(team=team, total=D("90000.00"), method=Method.PRIOR_YEAR)

    # Weights 30,000 : 10,000 : 0.
    assert [row.weight for row in allocation.rows] == [D(30000), D(10000), D(0)]
    assert by_rep(allocation) == {"adams": D(67500), "baker": D(22500), "rep": D(0)}
    assert allocation.rows[1].months == {JAN: D(7500), FEB: D(7500), MAR: D(7500)}


def test_trailing_twelve_months_weight_a_monthly_split(stages, team, members):
    adams, baker, rita = members
    won(stages, adams, "30000", date(2025, 1, 1))
    won(stages, adams, "10000", date(2025, 11, 20))
    won(stages, baker, "10000", date(2025, 12, 31))
    won(stages, rita, "50000", date(2025, 6, 1))
    won(stages, rita, "70000", date(2024, 12, 31))  # thirteen months back

    allocation = preview(team=team, kind="month", total=D("10000.00"), method=Method.TTM)

    # Weights 40,000 : 10,000 : 50,000.
    assert by_rep(allocation) == {"adams": D(4000), "baker": D(1000), "rep": D(5000)}


def test_custom_weights_need_one_per_rep(team, members):
    adams, baker, rita = members
    weights = {adams.pk: D(1), baker.pk: D(1), rita.pk: D(1)}

    allocation = preview(team=team, kind="month", total=D("1000.00"), method=Method.CUSTOM,
                         weights=weights)  # fmt: skip

    assert by_rep(allocation) == {"adams": D("333.34"), "baker": D("333.33"), "rep": D("333.33")}
    with pytest.raises(ValidationError, match="missing: Rita Rep"):
        two = {adams.pk: D(1), baker.pk: D(1)}
        preview(team=team, total=D(1000), method=Method.CUSTOM, weights=two)


def test_seasonality_is_learned_from_two_years_of_history(stages, rep):
    for amount, day in (("6000", date(2025, 1, 10)), ("3000", date(2025, 2, 10)),
                        ("1000", date(2025, 3, 10)), ("10000", date(2024, 12, 5)),
                        ("99000", date(2023, 12, 31))):  # fmt: skip
        won(stages, rep, amount, day)

    season = seasonality_learn(Deal.objects.all(), "bookings", JAN)

    # 20,000 in 2024-2025: January 6,000 = 30 %, February 15 %, March 5 %, December 50 %.
    assert season == {1: D(30), 2: D(15), 3: D(5), **dict.fromkeys(range(4, 12), D(0)), 12: D(50)}


def test_seasonality_is_even_without_history(db):
    season = seasonality_learn(Deal.objects.all(), "bookings", JAN)

    # 100 / 12 = 8.333...: the four leftover cents go to January to April.
    assert list(season.values()) == [D("8.34")] * 4 + [D("8.33")] * 8
    assert sum(season.values()) == 100


def test_seasonality_spreads_each_reps_part_over_the_months(team, members):
    season = {1: D(30), 2: D(15), 3: D(5), **dict.fromkeys(range(4, 13), D(5))}

    allocation = preview(team=team, total=D("90000.00"), seasonality=season)

    # Each rep 30,000, split 30 : 15 : 5.
    assert allocation.rows[2].months == {JAN: D(18000), FEB: D(9000), MAR: D(3000)}
    assert by_rep(allocation)["rep"] == D(30000)


def test_a_ramping_rep_carries_part_of_a_share_and_the_others_the_rest(team, members):
    rita = members[2]
    rita.hired_on = date(2026, 2, 10)
    rita.save()
    ramp = RampSchedule.objects.create(name="New hire", steps="25,50,75")

    allocation = preview(team=team, total=D("67500.00"), ramp=ramp)

    # Weights: Adams and Baker 1 a month; Rita 0 in January (not hired), 0.25 in February,
    # 0.5 in March: 6.75 in all, so 10,000 a weight.
    assert by_rep(allocation) == {"adams": D(30000), "baker": D(30000), "rep": D(7500)}
    assert allocation.rows[2].months == {JAN: D(0), FEB: D(2500), MAR: D(5000)}
    assert allocation.rows[2].ramps == {JAN: D(0), FEB: D(25), MAR: D(50)}


def test_over_assignment_gives_reps_more_than_the_team_quota_and_shows_the_gap(team, members):
    allocation = preview(team=team, kind="month", total=D("90000.00"), over_assign=D(10))

    assert (allocation.assigned, allocation.gap) == (D("99000.00"), D("-9000.00"))
    assert set(by_rep(allocation).values()) == {D(33000)}


def test_allocation_to_a_territory_covers_reps_below_it(members):
    west = Territory.objects.create(name="West", kind="region")
    coast = Territory.objects.create(name="Coast", kind="territory", parent=west)
    for person in members[:2]:
        TerritoryAssignment.objects.create(rep=person, territory=coast, start=date(2025, 1, 1))
    TerritoryAssignment.objects.create(rep=members[2], territory=coast, start=date(2025, 1, 1),
                                       end=date(2025, 12, 31))  # fmt: skip

    allocation = preview(territory=west, kind="month", total=D("500.00"))

    assert by_rep(allocation) == {"adams": D(250), "baker": D(250)}


def test_allocation_refuses_what_it_cannot_share(stages, team, members, other_rep):
    with pytest.raises(ValidationError, match="no history"):
        preview(team=team, total=D(100), method=Method.PRIOR_YEAR)
    with pytest.raises(ValidationError, match="does not start"):
        preview(team=team, total=D(100), start=FEB)
    with pytest.raises(ValidationError, match="in cents"):
        preview(team=team, total=D("100.005"))
    with pytest.raises(ValidationError, match="team or to a territory"):
        preview(total=D(100))
    with pytest.raises(ValidationError, match="each month"):
        preview(team=team, total=D(100), seasonality={1: D(1)})


def test_applying_an_allocation_saves_team_rep_and_monthly_quotas_once(team, members):
    quota_allocation_apply(preview(team=team, total=D("90000.00")))
    saved = quota_allocation_apply(preview(team=team, total=D("93000.00")))

    # One team quarter, three rep quarters, nine rep months; the second run changed them.
    assert len(saved) == Quota.objects.count() == 13
    assert Quota.objects.get(team=team).amount == D(93000)
    assert Quota.objects.get(rep=members[0], period="quarter").amount == D(31000)
    monthly = Quota.objects.filter(rep=members[0], period="month").order_by("start")
    assert list(monthly.values_list("start", "amount")) == [
        (JAN, D("10333.34")), (FEB, D("10333.33")), (MAR, D("10333.33")),
    ]  # fmt: skip
    assert AuditEntry.objects.filter(model="quotas.Quota", action="updated").count() == 13


def test_a_ramp_schedule_is_percents_that_never_go_down(db):
    ramp = RampSchedule(name="Sales hire", steps=" 25, 50,75 ")
    ramp.full_clean()

    assert (ramp.steps, ramp.percents) == ("25,50,75", [D(25), D(50), D(75)])
    for wrong, message in (("50,25", "never goes down"), ("25,120", "from 0 to 100"),
                           ("a,b", "separated by commas"), ("", "at least one")):  # fmt: skip
        with pytest.raises(ValidationError, match=message):
            RampSchedule(name="Wrong", steps=wrong).full_clean()


def test_an_unknown_method_is_refused(team, members):
    with pytest.raises(ValidationError, match="No allocation method 'guess'"):
        preview(team=team, total=D(100), method="guess")
