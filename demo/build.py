"""Demo data: a believable sales company built from a seed, for trying Pacer out.

`demo_load` builds it (once: a second run changes nothing), `demo_reset` removes all sales data
and the demo people. The same seed on the same day gives the same company; the history ends on
`today` (the real today unless told otherwise).
"""

from collections.abc import Callable
from datetime import date
from time import perf_counter
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from compensation.models import Statement, StatementLine
from demo.accounts import AccountBook, accounts_build, accounts_save
from demo.activity import activities_create
from demo.calls import calls_create
from demo.catalog import products_create, stages_ensure
from demo.comp import comp_create
from demo.context import DemoContext
from demo.customers import CustomerBook
from demo.data import PASSWORD
from demo.deals import deals_plan
from demo.forecasts import past_forecasts_run
from demo.org import Org, org_build, org_save, rep_login_recast
from demo.quotas import bookings_rates, quotas_create
from demo.replay import deals_write
from demo.reset import demo_conflicts, demo_is_loaded, demo_reset
from demo.revenue import subscriptions_create, surveys_create
from org.models import Team, User
from pipeline.models import (
    Account,
    Activity,
    Deal,
    DealChange,
    Product,
    Stage,
    Subscription,
    SurveyResponse,
)
from quotas.models import Quota
from territories.models import Territory, TerritoryAssignment

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["LOGINS", "PASSWORD", "DemoConflict", "demo_load", "demo_reset", "table_counts"]

# (role, username): the well-known logins; everyone else is first.last, same password.
LOGINS = [("admin", "admin"), ("executive", "exec"), ("manager", "manager"), ("rep", "rep")]
TABLES = [
    User,
    Team,
    Territory,
    TerritoryAssignment,
    Account,
    Product,
    Stage,
    Deal,
    DealChange,
    Activity,
    Subscription,
    SurveyResponse,
    Quota,
    Statement,
    StatementLine,
]


class DemoConflict(Exception):
    """The database holds data the demo would clash with; `--reset` replaces it."""


def demo_load(
    *,
    seed: int = 7,
    scale: float = 1.0,
    today: date | None = None,
    stdout: "SupportsWrite[str] | None" = None,
    past_forecasts: int = 0,
) -> dict[str, int]:
    """Build the demo company unless it is already there; return the row count per table.

    `scale` multiplies the number of accounts, deals and activities (the organisation stays the
    same size); the history runs up to `today`. Raises DemoConflict when other data is in the
    way; progress goes to `stdout`.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    with transaction.atomic():
        if demo_is_loaded():
            _say(stdout, "Demo data already loaded; nothing changed.")
            return table_counts()
        if problems := demo_conflicts():
            raise DemoConflict("Cannot build the demo: " + "; ".join(problems) + ". Use --reset.")
        today = today or timezone.localdate()
        ctx = DemoContext(seed, scale, today, timezone.get_current_timezone())

        def run(label: str, step: Callable[..., Any], *args: Any) -> Any:
            return _timed(stdout, label, step, *args)

        _build(ctx, run)
        if past_forecasts:
            label = f"forecasts as of the past {past_forecasts} month starts"
            run(label, past_forecasts_run, today, past_forecasts)
    return table_counts()


def _build(ctx: DemoContext, run: Callable[..., Any]) -> None:
    stages = run("stages", stages_ensure)
    products = run("products", products_create)
    org = run("people, teams and territories", org_build, ctx)
    accounts = run("accounts", accounts_build, ctx, org)
    book = CustomerBook(ctx, accounts.accounts, products)
    plans = run("deal plans", deals_plan, ctx, org, accounts, products, book)
    rep_login_recast(org, bookings_rates(ctx, org, plans), since=ctx.start)
    run("reps and accounts", _people_and_accounts_save, org, accounts)
    deals = run("deals and their history", deals_write, ctx, plans, stages)
    run("activities", activities_create, ctx, org, accounts, deals)
    run("subscriptions", subscriptions_create, book)
    run("surveys", surveys_create, ctx, book)
    run("quotas", quotas_create, ctx, org, plans)
    run("managers' past calls", calls_create, ctx)
    run("pay plans and a year of statements", comp_create, ctx, org)


def _people_and_accounts_save(org: Org, accounts: AccountBook) -> None:
    org_save(org)
    accounts_save(accounts)


def _timed(
    stdout: "SupportsWrite[str] | None", label: str, step: Callable[..., Any], *args: Any
) -> Any:
    started = perf_counter()
    result = step(*args)
    _say(stdout, f"  {label}: {perf_counter() - started:.1f} s")
    return result


def _say(stdout: "SupportsWrite[str] | None", text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in TABLES}
