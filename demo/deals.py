"""Deal plans: who sells what to whom, when, how big, and how each deal ends.

Plans are plain objects, walked in creation order so a deal knows which earlier deals made its
account a customer. `replay.py` writes them through the model layer, which records history.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from math import log2

from core.periods import period_containing
from demo.accounts import AccountBook
from demo.context import DemoContext, money, ramp, working_days
from demo.customers import Chain, CustomerBook
from demo.data import LOST_REASONS, PRODUCTS, SEGMENTS
from demo.org import Org, Rep
from pipeline.models import Account, DealType, Product

NEW, EXPANSION, RENEWAL = DealType.NEW_BUSINESS, DealType.EXPANSION, DealType.RENEWAL
OPEN_STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation"]
WON, LOST = "Closed Won", "Closed Lost"

# Deals a median rep opens per working day at full scale: about 9,000 deals over the history.
RATE_PER_DAY = 0.34
# Deals opened this long before the history starts, so closings run at full pace from its start.
WARM_UP = timedelta(days=90)
# Skill drives volume, win rate and size; together a 2x rep books about 2.5x.
VOLUME_EXPONENT, SIZE_EXPONENT = 0.6, 0.2
BASE_WIN: dict[str, float] = {NEW: 0.26, EXPANSION: 0.5, RENEWAL: 0.8}
SKILL_WIN: dict[str, float] = {NEW: 0.5, EXPANSION: 0.3, RENEWAL: 0.0}
SEGMENT_WIN = {"smb": 1.1, "mid_market": 1.0, "enterprise": 0.9, "strategic": 0.8}
# When each stage is reached, as a share of the time from creation to close.
STEP_SHARES = {WON: (0, 0.2, 0.45, 0.7), LOST: (0, 0.25, 0.5, 0.75)}
LOST_REACH = (35, 30, 20, 15)
RENEWAL_SHARE, EXPANSION_SHARE = 0.85, 0.22
STALE_SHARE, STALE_DAYS = 0.2, 60
NO_EXPECTED_SHARE = 0.01
DISCOUNT_SHARE = 0.5
PRODUCT_WEIGHTS = {
    segment: [weights[index] for *_, weights in PRODUCTS.values()]
    for index, segment in enumerate(SEGMENTS)
}


@dataclass(eq=False, slots=True)
class Step:
    stage: str
    day: date
    minute: int


@dataclass(eq=False)
class Plan:
    rep: Rep
    account: Account
    created: date
    kind: str = NEW
    product: Product | None = None
    amount: Decimal = Decimal(0)
    final_amount: Decimal = Decimal(0)
    cycle: int = 0
    expected: date | None = None
    steps: list[Step] = field(default_factory=list)
    closed_on: date | None = None
    lost_reason: str = ""
    chain: Chain | None = None

    @property
    def won(self) -> bool:
        return self.steps[-1].stage == WON


def deals_plan(
    ctx: DemoContext,
    org: Org,
    accounts: AccountBook,
    products: dict[str, Product],
    book: CustomerBook,
) -> list[Plan]:
    rng = ctx.rng("deals")
    plans = [plan for rep in org.reps for plan in _rep_slots(ctx, rng, rep, accounts)]
    plans.sort(key=lambda plan: plan.created)
    for plan in plans:
        _shape(rng, plan, products, book)
        _fate(ctx, rng, plan)
        _book(book, plan)
    return plans


def _rep_slots(ctx: DemoContext, rng: random.Random, rep: Rep, accounts: AccountBook) -> list:
    """When the rep opens deals: busier in good months, later years and once ramped."""
    days = working_days(max(ctx.start - WARM_UP, rep.hired_on), ctx.today)
    weights = [ctx.trend(day) * ctx.season(day) * ramp(rep.hired_on, day) for day in days]
    expected = RATE_PER_DAY * ctx.scale * rep.skill**VOLUME_EXPONENT * sum(weights)
    created = sorted(rng.choices(days, weights=weights, k=int(expected + rng.random())))
    return [Plan(rep, accounts.pick(rng, rep.territory_on(day)), day) for day in created]


def _shape(rng: random.Random, plan: Plan, products: dict, book: CustomerBook) -> None:
    chain = book.renewal_due(plan.account, plan.created)
    if chain and rng.random() < RENEWAL_SHARE:
        _renewal(rng, plan, chain, book)
    elif book.is_customer(plan.account, plan.created) and rng.random() < EXPANSION_SHARE:
        _expansion(rng, plan, products, book)
    else:
        plan.product = products[_product_name(rng, plan.account)]
        plan.amount = _size(rng, plan, plan.product)
        plan.cycle = _cycle(rng, plan.amount)
    plan.final_amount = plan.amount


def _product_name(rng: random.Random, account: Account) -> str:
    return rng.choices(list(PRODUCTS), weights=PRODUCT_WEIGHTS[account.segment])[0]


def _size(rng: random.Random, plan: Plan, product: Product) -> Decimal:
    base = float(product.list_price) * SEGMENTS[plan.account.segment][2]
    return money(base * rng.lognormvariate(0, 0.35) * plan.rep.skill**SIZE_EXPONENT, 50)


def _cycle(rng: random.Random, amount: Decimal, speed: float = 1.0) -> int:
    """Bigger deals take longer: about 20 days for $4k, 110 for $70k."""
    days = (20 + 22 * log2(max(1.0, float(amount) / 4000)) + rng.gauss(0, 8)) * speed
    return min(120, max(20, round(days)))


def _renewal(rng: random.Random, plan: Plan, chain: Chain, book: CustomerBook) -> None:
    plan.kind, plan.product, plan.chain = RENEWAL, chain.product, chain
    plan.amount = money(float(chain.mrr_on(plan.created)) * 12 * rng.uniform(0.97, 1.1), 50)
    plan.expected = max(chain.renewal_due, plan.created + timedelta(days=15))
    plan.cycle = min(90, (plan.expected - plan.created).days)
    book.renewal_open(chain)


def _expansion(rng: random.Random, plan: Plan, products: dict, book: CustomerBook) -> None:
    """An upsell of a running subscription, or a cross-sell of something the customer lacks."""
    plan.kind = EXPANSION
    running = book.active(plan.account, plan.created)
    if running and rng.random() < 0.5:
        chain = rng.choice(running)
        plan.product = chain.product
        acv = float(chain.mrr_on(plan.created)) * 12
        plan.amount = money(acv * rng.uniform(0.15, 0.5), 50)
    else:
        plan.product = products[_product_name(rng, plan.account)]
        plan.amount = money(float(_size(rng, plan, plan.product)) * 0.8, 50)
    plan.cycle = _cycle(rng, plan.amount, speed=0.7)


def _win_probability(plan: Plan) -> float:
    chance = BASE_WIN[plan.kind] * plan.rep.skill ** SKILL_WIN[plan.kind]
    if plan.kind == NEW:
        chance *= SEGMENT_WIN[plan.account.segment]
    return min(0.9, max(0.05, chance))


def _fate(ctx: DemoContext, rng: random.Random, plan: Plan) -> None:
    """Won or lost (and at which stage), and whether that has happened by today."""
    if plan.expected is None and rng.random() > NO_EXPECTED_SHARE:
        estimate = round(plan.cycle * rng.uniform(0.75, 1.05))
        plan.expected = plan.created + timedelta(days=estimate)
    if rng.random() < _win_probability(plan):
        final, stages = WON, OPEN_STAGES
        end = _period_end_pull(rng, plan.created, plan.created + timedelta(days=plan.cycle))
    else:
        final, reached = LOST, rng.choices(range(4), weights=LOST_REACH)[0]
        stages = OPEN_STAGES[: reached + 1]
        lifetime = plan.cycle * (reached + 1) / 5 * rng.uniform(0.8, 1.2)
        end = plan.created + timedelta(days=round(lifetime))
        plan.lost_reason = rng.choices(list(LOST_REASONS), weights=list(LOST_REASONS.values()))[0]
    steps = _steps(rng, plan.created, end, stages, STEP_SHARES[final])
    stale = ctx.today - timedelta(days=STALE_DAYS) < end <= ctx.today
    if end > ctx.today or (stale and rng.random() < STALE_SHARE):
        plan.steps, plan.lost_reason = [step for step in steps if step.day <= ctx.today], ""
    else:
        plan.steps = [*steps, Step(final, end, _minute(rng, len(steps)))]
        plan.closed_on = end
    if any(step.stage == "Negotiation" for step in plan.steps) and rng.random() < DISCOUNT_SHARE:
        plan.final_amount = money(float(plan.amount) * rng.uniform(0.85, 0.98), 50)


def _steps(
    rng: random.Random, created: date, end: date, stages: list[str], shares: tuple
) -> list[Step]:
    span = (end - created).days
    return [
        Step(stage, created + timedelta(days=round(span * share)), _minute(rng, index))
        for index, (stage, share) in enumerate(zip(stages, shares[: len(stages)], strict=True))
    ]


def _minute(rng: random.Random, index: int) -> int:
    """A time of day that keeps a deal's same-day steps in order (08:00 to 17:50)."""
    return 480 + 120 * index + rng.randrange(110)


def _period_end_pull(rng: random.Random, created: date, close: date) -> date:
    """Reps push deals to close by quarter end, hardest in December: the peaks of real data."""
    quarter = period_containing(close, "quarter")
    last_day = quarter.end - timedelta(days=1)
    if (last_day - close).days < 45 and rng.random() < (0.6 if close.month == 12 else 0.45):
        pulled = last_day - timedelta(days=rng.randint(0, 7))
    elif (close - quarter.start).days < 20 and rng.random() < 0.3:
        pulled = quarter.start - timedelta(days=rng.randint(1, 5))
    else:
        return close
    return pulled if pulled >= created + timedelta(days=7) else close


def _book(book: CustomerBook, plan: Plan) -> None:
    if plan.closed_on is None:
        return
    # `_renewal` gives every renewal its chain; `_shape` gives every plan a product.
    if plan.kind == RENEWAL and plan.won:
        assert plan.chain is not None
        book.renewal_won(plan.chain, plan.final_amount, plan.closed_on)
    elif plan.kind == RENEWAL:
        assert plan.chain is not None
        book.renewal_lost(plan.chain, plan.closed_on)
    elif plan.won:
        assert plan.product is not None
        book.deal_won(plan.account, plan.product, plan.final_amount, plan.closed_on)
