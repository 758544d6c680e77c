"""Customer and prospect companies, spread over the territories, sized by segment."""

import random
from dataclasses import dataclass
from itertools import accumulate
from math import exp, log
from typing import Protocol, cast

from demo.context import DemoContext, money
from demo.data import (
    FOREIGN,
    LEGAL_SUFFIXES,
    NAME_STEMS,
    SECTORS,
    SEGMENTS,
    SUBSIDIARY_SUFFIXES,
)
from demo.org import Org
from pipeline.models import Account
from territories.models import Territory

ACCOUNTS_AT_FULL_SCALE = 1800
MIN_ACCOUNTS_PER_TERRITORY = 3
SUBSIDIARY_SHARE = 0.07


class Stemmed(Protocol):
    """What `_names_assign` attaches to each unsaved account: its name without the suffix."""

    demo_stem: str


def stemmed(account: Account) -> Stemmed:
    """The account with its demo attribute (a plain cast, no copy)."""
    return cast(Stemmed, account)


@dataclass
class AccountBook:
    accounts: list[Account]
    by_territory: dict[int, tuple[list[Account], list[float]]]

    def pick(self, rng: random.Random, territory: Territory) -> Account:
        """An account of the territory; bigger companies are worked more often."""
        accounts, cumulative = self.by_territory[territory.pk]
        return rng.choices(accounts, cum_weights=cumulative)[0]


def accounts_build(ctx: DemoContext, org: Org) -> AccountBook:
    """The accounts, not yet saved: their owners are saved with the reps, after deal planning."""
    rng = ctx.rng("accounts")
    floor = MIN_ACCOUNTS_PER_TERRITORY * len(org.territories)
    count = max(floor, round(ACCOUNTS_AT_FULL_SCALE * ctx.scale))
    places = [org.territories[index % len(org.territories)] for index in range(count)]
    rng.shuffle(places)
    accounts = [_account(rng, org, place) for place in places]
    for number, account in enumerate(accounts, start=1):
        account.external_id = f"DEMO-A{number:05d}"
    _names_assign(rng, accounts)
    _subsidiaries_pick(rng, accounts)
    return AccountBook(accounts, _index(accounts))


def accounts_save(book: AccountBook) -> None:
    """Parents first, so subsidiaries can point at them."""
    for parents in (True, False):
        rows = [a for a in book.accounts if (a.parent is None) == parents]
        Account.objects.bulk_create(rows, batch_size=500)


def _account(rng: random.Random, org: Org, territory: Territory) -> Account:
    segment = rng.choices(list(SEGMENTS), weights=[s[0] for s in SEGMENTS.values()])[0]
    low, high = SEGMENTS[segment][1]
    employees = min(high, round(exp(rng.uniform(log(low), log(high)))))
    industry = rng.choice(list(SECTORS))
    revenue = employees * SECTORS[industry][0] * rng.lognormvariate(0, 0.3)
    country, share = FOREIGN.get(territory.name, ("", 0.0))
    owners = org.current_reps(territory)
    return Account(
        industry=industry,
        employees=employees,
        annual_revenue=money(revenue, 1000),
        country=country if rng.random() < share else "United States",
        territory=territory,
        owner=rng.choice(owners).user if owners else None,
        segment=segment,
    )


def _names_assign(rng: random.Random, accounts: list[Account]) -> None:
    taken = set()
    for account in accounts:
        while account.name in taken or not account.name:
            words = SECTORS[account.industry][1]
            stemmed(account).demo_stem = f"{rng.choice(NAME_STEMS)} {rng.choice(words)}"
            account.name = f"{stemmed(account).demo_stem} {rng.choice(LEGAL_SUFFIXES)}".strip()
        taken.add(account.name)


def _subsidiaries_pick(rng: random.Random, accounts: list[Account]) -> None:
    """Some smaller companies belong to a big one: same sector, named after the parent."""
    parents = [a for a in accounts if a.segment in ("enterprise", "strategic")]
    children = [a for a in accounts if a.segment in ("smb", "mid_market")]
    if not parents:
        return
    picked = rng.sample(children, min(len(children), round(SUBSIDIARY_SHARE * len(accounts))))
    taken = {account.name for account in accounts}
    for child in picked:
        parent = child.parent = rng.choice(parents)
        child.industry = parent.industry
        names = [f"{stemmed(parent).demo_stem} {suffix}" for suffix in SUBSIDIARY_SUFFIXES]
        assert child.territory is not None  # `_account` places every account in a territory
        names.append(f"{stemmed(parent).demo_stem} {child.territory.name}")
        child.name = next((name for name in names if name not in taken), child.name)
        taken.add(child.name)


def _index(accounts: list[Account]) -> dict[int, tuple[list[Account], list[float]]]:
    grouped: dict[int, list[Account]] = {}
    for account in accounts:
        assert account.territory is not None  # `_account` places every account in a territory
        grouped.setdefault(account.territory.pk, []).append(account)
    return {
        pk: (group, list(accumulate(SEGMENTS[a.segment][3] for a in group)))
        for pk, group in grouped.items()
    }
