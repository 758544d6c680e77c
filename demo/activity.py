"""What reps do all day: calls, emails, follow-ups, appointments, new leads, and quotes sent."""

import random
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from core.periods import add_months
from demo.accounts import AccountBook
from demo.context import DemoContext, working_days
from demo.org import Org, Rep
from demo.replay import replayed
from pipeline.models import Account, Activity, ActivityKind, Deal
from territories.models import Territory

# Per working day for a median rep at full scale; stronger reps work a little harder.
DAILY_RATES = {
    ActivityKind.CALL: 9.0,
    ActivityKind.EMAIL: 2.2,
    ActivityKind.FOLLOW_UP: 1.3,
    ActivityKind.APPOINTMENT: 0.6,
    ActivityKind.LEAD: 0.8,
}
SKILL_EXPONENT = 0.35
# The activity log covers the last 15 months (this quarter and the same one a year ago) rather
# than the whole deal history: at ~13 rows per rep and day, it is most of the load time.
ACTIVITY_MONTHS = 15
DEAL_LINKED_SHARE = 0.4
OUTCOMES = {
    ActivityKind.CALL: {
        "Connected": 35,
        "Left voicemail": 35,
        "No answer": 22,
        "Meeting booked": 8,
    },
    ActivityKind.EMAIL: {"Sent": 75, "Replied": 25},
    ActivityKind.FOLLOW_UP: {"Done": 85, "Rescheduled": 15},
    ActivityKind.APPOINTMENT: {"Held": 80, "Rescheduled": 12, "No-show": 8},
    ActivityKind.LEAD: {"Inbound web form": 40, "Referral": 20, "Event": 15, "Outbound": 25},
}
CUMULATIVE: dict[str, tuple[list[str], list[int]]] = {
    kind: (list(w), list(accumulate(w.values()))) for kind, w in OUTCOMES.items()
}
BATCH_SIZE = 1000


@dataclass
class RepDeals:
    """A rep's deals by creation day, to link some activities to a deal open that day."""

    created: list[date]
    deals: list[Deal]
    ends: list[date]

    def open_on(self, rng: random.Random, day: date) -> Deal | None:
        newest = bisect_right(self.created, day)
        if not newest:
            return None
        index = rng.randrange(max(0, newest - 25), newest)
        return self.deals[index] if self.ends[index] >= day else None


def activities_create(ctx: DemoContext, org: Org, accounts: AccountBook, deals: list[Deal]) -> int:
    rng = ctx.rng("activities")
    by_rep = _deals_by_rep(ctx, deals)
    count = len(Activity.objects.bulk_create(_quotes(ctx, deals), batch_size=BATCH_SIZE))
    for rep in org.reps:
        rows = list(
            _rep_days(ctx, rng, rep, accounts, by_rep.get(rep.user.pk, RepDeals([], [], [])))
        )
        count += len(Activity.objects.bulk_create(rows, batch_size=BATCH_SIZE))
    return count


def _deals_by_rep(ctx: DemoContext, deals: list[Deal]) -> dict[int, RepDeals]:
    by_rep: dict[int, RepDeals] = {}
    for deal in sorted(deals, key=lambda deal: deal.created_on):
        found = by_rep.setdefault(_owner_id(deal), RepDeals([], [], []))
        found.created.append(deal.created_on)
        found.deals.append(deal)
        found.ends.append(deal.closed_on or ctx.today)
    return by_rep


def _quotes(ctx: DemoContext, deals: list[Deal]) -> list[Activity]:
    """A quote goes out the moment a deal reaches Proposal."""
    return [
        Activity(
            rep_id=_owner_id(deal),
            kind=ActivityKind.QUOTE,
            occurred_at=ctx.at(step.day, step.minute + 5),
            account_id=deal.account_id,
            deal_id=deal.pk,
            outcome="Sent",
        )
        for deal in deals
        for step in replayed(deal).demo_plan.steps
        if step.stage == "Proposal" and step.day >= _first_day(ctx)
    ]


def _owner_id(deal: Deal) -> int:
    """Demo deals are all owned: by the rep whose plan they come from, saved before them."""
    assert deal.owner_id is not None
    return deal.owner_id


def _first_day(ctx: DemoContext) -> date:
    return add_months(ctx.today.replace(day=1), -ACTIVITY_MONTHS)


def _rep_days(
    ctx: DemoContext, rng: random.Random, rep: Rep, accounts: AccountBook, deals: RepDeals
) -> Iterator[Activity]:
    tempo = rep.skill**SKILL_EXPONENT * ctx.scale
    for day in working_days(max(_first_day(ctx), rep.hired_on), ctx.today):
        if rng.random() < _absence(day):
            continue
        pace = tempo * rng.uniform(0.75, 1.25)
        territory = rep.territory_on(day)
        for kind, rate in DAILY_RATES.items():
            for _ in range(int(rate * pace + rng.random())):
                yield _activity(ctx, rng, rep, kind, day, accounts.pick, territory, deals)


def _absence(day: date) -> float:
    """Holidays, sick days and training: more of them over Christmas and in August."""
    if day.month == 12 and day.day > 20:
        return 0.4
    return 0.1 if day.month == 8 else 0.04


def _activity(
    ctx: DemoContext,
    rng: random.Random,
    rep: Rep,
    kind: str,
    day: date,
    pick: Callable[[random.Random, Territory], Account],
    territory: Territory,
    deals: RepDeals,
) -> Activity:
    deal = None
    if kind != ActivityKind.LEAD and rng.random() < DEAL_LINKED_SHARE:
        deal = deals.open_on(rng, day)
    account_id = deal.account_id if deal else pick(rng, territory).pk
    outcomes, cumulative = CUMULATIVE[kind]
    return Activity(
        rep_id=rep.user.pk,
        kind=kind,
        occurred_at=ctx.at(day, rng.randrange(480, 1080)),
        account_id=account_id,
        deal_id=deal.pk if deal else None,
        outcome=rng.choices(outcomes, cum_weights=cumulative)[0],
    )
