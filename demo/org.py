"""The sales organisation: territory tree, people and their reporting line, teams, assignments."""

import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import exp
from statistics import NormalDist, median

from django.contrib.auth.hashers import make_password

from demo.context import DemoContext
from demo.data import (
    AREAS,
    DEMO_DOMAIN,
    FIRST_NAMES,
    FIXED_PEOPLE,
    LAST_NAMES,
    PASSWORD,
    REGIONS,
    TEAM_SIZES,
    team_name,
)
from org.models import Role, Team, User
from territories.models import Territory, TerritoryAssignment

IDENTITY = ("username", "first_name", "last_name", "email")
# Spread of rep skill (log scale): the best rep ends up at about 2x, the weakest at 0.4x median.
SKILL_SIGMA = 0.3
RECENT_HIRES = 3
MID_HISTORY_HIRES = 5
TERRITORY_MOVES = 2


@dataclass
class Stint:
    territory: Territory
    start: date
    end: date | None = None


@dataclass(eq=False)
class Rep:
    user: User
    skill: float
    stints: list[Stint] = field(default_factory=list)

    @property
    def hired_on(self) -> date:
        # Every demo rep is created with a hire date (`_reps_create`).
        assert self.user.hired_on is not None
        return self.user.hired_on

    def territory_on(self, day: date) -> Territory:
        for stint in self.stints:
            if stint.start <= day and (stint.end is None or day <= stint.end):
                return stint.territory
        return self.stints[0].territory


@dataclass
class Org:
    reps: list[Rep]
    teams: dict[str, Team]
    territories: list[Territory]

    def current_reps(self, territory: Territory) -> list[Rep]:
        return [rep for rep in self.reps if rep.stints[-1].territory is territory]


def username_for(first: str, last: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9.]", "", ascii_name.decode().lower())


def org_build(ctx: DemoContext) -> Org:
    """Territories, leaders, managers and teams in the database; reps wait for `org_save`."""
    rng = ctx.rng("org")
    areas = _territories_create()
    names = _names(rng, 2 + len(areas) + sum(TEAM_SIZES))
    password = make_password(PASSWORD)
    vp = _leaders_create(ctx, names, password)
    managers = _managers_create(ctx, rng, names, password, vp, list(areas))
    teams = dict(zip(areas, _teams_create(managers, list(areas)), strict=True))
    reps = _reps_create(ctx, rng, names, password, teams, areas)
    _moves_plan(ctx, rng, reps, areas)
    return Org(reps, teams, [leaf for leaves in areas.values() for leaf in leaves])


def _territories_create() -> dict[str, list[Territory]]:
    """The tree, one level per insert; returns each area's territories."""
    regions = Territory.objects.bulk_create(
        [Territory(name=name, kind="region") for name in REGIONS]
    )
    areas = Territory.objects.bulk_create(
        [Territory(name=a, kind="area", parent=r) for r in regions for a in REGIONS[r.name]]
    )
    leaves = Territory.objects.bulk_create(
        [Territory(name=t, kind="territory", parent=a) for a in areas for t in AREAS[a.name]]
    )
    return {a.name: [leaf for leaf in leaves if leaf.parent is a] for a in areas}


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    taken = {username_for(first, last) for first, last, *_ in FIXED_PEOPLE.values()}
    taken |= set(User.objects.values_list("username", flat=True))
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    chosen: list[tuple[str, str]] = []
    for first, last in rng.sample(pairs, count * 2):
        if username_for(first, last) not in taken and len(chosen) < count:
            taken.add(username_for(first, last))
            chosen.append((first, last))
    return chosen


def _person(names: list[tuple[str, str]], username: str | None = None, **fields) -> User:
    if username in FIXED_PEOPLE:
        first, last, *_ = FIXED_PEOPLE[username]
    else:
        first, last = names.pop()
        username = username_for(first, last)
    email = f"{username}@{DEMO_DOMAIN}"
    return User(username=username, first_name=first, last_name=last, email=email, **fields)


def _leaders_create(ctx: DemoContext, names: list, password: str) -> User:
    """The CRO (no manager), the VP of Sales under them and the sales-ops admin; returns the VP."""
    years = timedelta(days=365)
    cro = _person(
        names,
        role=Role.EXECUTIVE,
        title="Chief Revenue Officer",
        password=password,
        hired_on=ctx.today - 4 * years,
    )
    admin = _person(
        names,
        "admin",
        role=Role.ADMIN,
        title=FIXED_PEOPLE["admin"][3],
        password=password,
        hired_on=ctx.today - 3 * years,
        is_staff=True,
        is_superuser=True,
    )
    User.objects.bulk_create([cro, admin])
    vp = _person(
        names,
        "exec",
        role=Role.EXECUTIVE,
        title=FIXED_PEOPLE["exec"][3],
        password=password,
        hired_on=ctx.today - 6 * years,
        manager=cro,
    )
    User.objects.bulk_create([vp])
    return vp


def _managers_create(
    ctx: DemoContext, rng: random.Random, names: list, password: str, vp: User, areas: list[str]
) -> list[User]:
    managers = [
        _person(
            names,
            "manager" if index == 0 else None,
            role=Role.MANAGER,
            manager=vp,
            title=f"Sales Manager, {area}",
            password=password,
            hired_on=ctx.today - timedelta(days=rng.randint(3 * 365, 9 * 365)),
        )
        for index, area in enumerate(areas)
    ]
    return User.objects.bulk_create(managers)


def _teams_create(managers: list[User], areas: list[str]) -> list[Team]:
    teams = [
        Team(name=team_name(area), manager=boss) for area, boss in zip(areas, managers, strict=True)
    ]
    return Team.objects.bulk_create(teams)


def _rep_profiles(ctx: DemoContext, rng: random.Random, count: int) -> list[tuple[float, date]]:
    """(skill, hired_on) per rep: skills spread like a real team's, from evenly spaced quantiles.

    The first seat, the `rep` login's to begin with, gets the median skill and a long tenure.
    """
    normal = NormalDist()
    skills = [exp(SKILL_SIGMA * normal.inv_cdf((i + 0.5) / count)) for i in range(count)]
    middle = skills.pop(count // 2)
    rng.shuffle(skills)
    kinds = ["recent"] * RECENT_HIRES + ["mid"] * MID_HISTORY_HIRES
    kinds += ["veteran"] * (count - 1 - len(kinds))
    rng.shuffle(kinds)
    hires = [_hire_date(ctx, rng, kind) for kind in ["veteran", *kinds]]
    return list(zip([middle, *skills], hires, strict=True))


def _hire_date(ctx: DemoContext, rng: random.Random, kind: str) -> date:
    """Recent hires join shortly before the year of pay statements and ramp during its first
    months; the others before it, so every rep is paid for each month of that year."""
    if kind == "recent":
        return ctx.paid_from - timedelta(days=rng.randint(20, 80))
    if kind == "mid":
        history = (ctx.paid_from - ctx.start).days
        return ctx.start + timedelta(days=rng.randint(90, history - 150))
    return ctx.start - timedelta(days=rng.randint(60, 2500))


def _reps_create(
    ctx: DemoContext,
    rng: random.Random,
    names: list,
    password: str,
    teams: dict[str, Team],
    areas: dict[str, list[Territory]],
) -> list[Rep]:
    profiles = iter(_rep_profiles(ctx, rng, sum(TEAM_SIZES)))
    reps: list[Rep] = []
    for (area, team), size in zip(teams.items(), TEAM_SIZES, strict=True):
        for seat in range(size):
            skill, hired_on = next(profiles)
            senior = hired_on < ctx.today - timedelta(days=4 * 365)
            user = _person(
                names,
                "rep" if not reps else None,
                role=Role.REP,
                manager=team.manager,
                team=team,
                password=password,
                hired_on=hired_on,
                title="Senior Account Executive" if senior else "Account Executive",
            )
            territory = areas[area][seat % len(areas[area])]
            reps.append(Rep(user, skill, [Stint(territory, hired_on)]))
    return reps


def _moves_plan(
    ctx: DemoContext, rng: random.Random, reps: list[Rep], areas: dict[str, list[Territory]]
) -> None:
    """A couple of veterans moved to the emptiest territory of their area some months ago."""
    movable = [rep for rep in reps[1:] if rep.hired_on < ctx.start]
    for rep in rng.sample(movable, TERRITORY_MOVES):
        here = rep.stints[-1].territory
        area = next(leaves for leaves in areas.values() if here in leaves)
        crowd = Counter(other.stints[-1].territory.pk for other in reps)
        target = min((leaf for leaf in area if leaf is not here), key=lambda t: crowd[t.pk])
        moved_on = ctx.today - timedelta(days=rng.randint(150, 400))
        rep.stints[-1].end = moved_on - timedelta(days=1)
        rep.stints.append(Stint(target, moved_on))


def rep_login_recast(org: Org, results: dict[Rep, float], since: date) -> None:
    """Hand the `rep` login to the team-mate (there since `since`) closest to the median rep.

    Skill sets the odds, not the outcome; this way the demo rep shows a typical rep's numbers.
    """
    fixed = org.reps[0]
    middle = median(results.values())
    mates = [r for r in results if r.user.team is fixed.user.team and r.hired_on < since]
    chosen = min(mates, key=lambda rep: abs(results[rep] - middle))
    for name in IDENTITY:
        mine, theirs = getattr(fixed.user, name), getattr(chosen.user, name)
        setattr(fixed.user, name, theirs)
        setattr(chosen.user, name, mine)


def org_save(org: Org) -> None:
    User.objects.bulk_create([rep.user for rep in org.reps])
    TerritoryAssignment.objects.bulk_create(
        TerritoryAssignment(rep=rep.user, territory=s.territory, start=s.start, end=s.end)
        for rep in org.reps
        for s in rep.stints
    )
