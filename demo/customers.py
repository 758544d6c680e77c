"""Who is a customer when: recurring-revenue chains per account and product.

A chain is one account's subscription to one product: it starts with a won deal (or before the
history begins), grows with expansions and renewals at a higher price, and ends when the
customer churns. Deal planning asks it who is due a renewal or open to an expansion.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from math import floor, log

from demo.context import DemoContext, cents, money
from demo.data import PRODUCTS, SEGMENTS
from pipeline.models import Account, Product

MONTHLY_CHURN = 0.012
PREEXISTING_SHARE = 0.2
RENEWAL_LEAD_DAYS = 60
ONE_TIME_CUSTOMER_DAYS = 365


@dataclass(eq=False)
class Chain:
    account: Account
    product: Product
    start: date
    churn: date
    renewal_due: date
    changes: list[tuple[date, Decimal]] = field(default_factory=list)  # (from, MRR delta)

    def mrr_on(self, day: date) -> Decimal:
        return sum((delta for since, delta in self.changes if since <= day), Decimal(0))

    def active_on(self, day: date) -> bool:
        return self.start <= day < self.churn


def _key(account: Account) -> str:
    assert account.external_id is not None  # `accounts_build` numbers every account
    return account.external_id


class CustomerBook:
    def __init__(self, ctx: DemoContext, accounts: list[Account], products: dict[str, Product]):
        self.ctx = ctx
        self.rng = ctx.rng("customers")
        # Keyed by external id: the accounts are saved only after deal planning.
        self.chains: dict[str, list[Chain]] = {}
        self.first_win: dict[str, date] = {}
        self.accounts = {_key(account): account for account in accounts}
        for account in accounts:
            if self.rng.random() < PREEXISTING_SHARE:
                self._preexisting_add(account, products)

    def active(self, account: Account, day: date) -> list[Chain]:
        return [chain for chain in self.chains.get(_key(account), []) if chain.active_on(day)]

    def renewal_due(self, account: Account, day: date) -> Chain | None:
        lead = timedelta(days=RENEWAL_LEAD_DAYS)
        due = [chain for chain in self.active(account, day) if chain.renewal_due - lead <= day]
        return due[0] if due else None

    def is_customer(self, account: Account, day: date) -> bool:
        won = self.first_win.get(_key(account))
        return bool(self.active(account, day)) or (won is not None and won <= day)

    def deal_won(self, account: Account, product: Product, amount: Decimal, day: date) -> None:
        """A won new-business or expansion deal starts a chain or adds to the running one."""
        self.first_win[_key(account)] = min(day, self.first_win.get(_key(account), day))
        if product.billing != "recurring":
            return
        running = [chain for chain in self.active(account, day) if chain.product is product]
        if running:
            running[0].changes.append((day, cents(amount / 12)))
        else:
            self._chain_add(account, product, day, cents(amount / 12))

    def renewal_open(self, chain: Chain) -> None:
        """A renewal deal is under way; the next one is due a year later."""
        chain.renewal_due += timedelta(days=365)

    def renewal_won(self, chain: Chain, amount: Decimal, day: date) -> None:
        """The customer stays; a higher price is a new subscription row from the renewal."""
        chain.churn = max(chain.churn, self._churn_after(day))
        uplift = cents(amount / 12) - chain.mrr_on(day)
        if uplift > chain.mrr_on(day) * Decimal("0.03"):
            chain.changes.append((day, uplift))

    def renewal_lost(self, chain: Chain, day: date) -> None:
        chain.churn = min(chain.churn, day + timedelta(days=self.rng.randint(1, 45)))

    def spans(self) -> list[tuple[Account, date, date, date | None]]:
        """(account, customer since, customer until, churned on or None) per customer."""
        result = []
        for key, account in self.accounts.items():
            chains = self.chains.get(key, [])
            ends = [chain.churn for chain in chains]
            starts = [chain.start for chain in chains]
            if key in self.first_win:
                starts.append(self.first_win[key])
                ends.append(self.first_win[key] + timedelta(days=ONE_TIME_CUSTOMER_DAYS))
            if starts:
                churned = max(ends) if chains and max(ends) <= self.ctx.today else None
                result.append((account, min(starts), min(max(ends), self.ctx.today), churned))
        return result

    def _chain_add(self, account: Account, product: Product, start: date, mrr: Decimal) -> None:
        renewal = start + timedelta(days=365)
        chain = Chain(account, product, start, self._churn_after(start), renewal, [(start, mrr)])
        self.chains.setdefault(_key(account), []).append(chain)

    def _preexisting_add(self, account: Account, products: dict[str, Product]) -> None:
        big = account.segment in ("enterprise", "strategic")
        product = products["Enterprise Platform" if big else "Core Platform"]
        acv = PRODUCTS[product.name][1] * SEGMENTS[account.segment][2]
        start = self.ctx.start - timedelta(days=self.rng.randint(30, 1000))
        self._chain_add(account, product, start, money(acv * self.rng.uniform(0.7, 1.3) / 12))
        chain = self.chains[_key(account)][-1]
        chain.churn = self._churn_after(self.ctx.start)
        while chain.renewal_due < self.ctx.start:
            chain.renewal_due += timedelta(days=365)

    def _churn_after(self, day: date) -> date:
        """Months until churn are geometric: the same small chance of leaving every month."""
        months = floor(log(1 - self.rng.random()) / log(1 - MONTHLY_CHURN)) + 1
        return day + timedelta(days=round(months * 30.44) + self.rng.randint(-10, 10))
