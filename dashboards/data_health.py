"""Sales operations' page: is the data complete and fresh, and where to fix it."""

from datetime import date

from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch, reverse

import access
from dashboards.common import Cell, Dashboard, Table, Tile, drill_link, fmt
from dashboards.filters import Filters
from dashboards.integrations import forecast_health, last_import
from forecasting.models import PipelineSnapshot
from metrics.definitions import COUNT
from org.models import Team, User
from pipeline.models import Product, Stage
from quotas.models import Quota
from territories.models import Territory

STALE_AFTER_DAYS = 1


def admin_dashboard(user: User, filters: Filters, today: date) -> Dashboard:
    scope = access.visible_scope(user)
    link = drill_link(filters)
    deals = scope.deals.aggregate(
        total=Count("id"),
        no_owner=Count("id", filter=Q(owner__isnull=True)),
        no_territory=Count("id", filter=Q(territory__isnull=True)),
    )
    accounts = scope.accounts.aggregate(
        total=Count("id"), no_territory=Count("id", filter=Q(territory__isnull=True))
    )
    snapshot = PipelineSnapshot.objects.aggregate(last=Max("taken_on"))["last"]
    tiles = [
        Tile(
            "no_owner",
            "Deals without an owner",
            deals["no_owner"],
            fmt(deals["no_owner"], COUNT),
            link("deals", measure="all", missing="owner"),
            note=f"of {deals['total']:,} deals",
        ),
        Tile(
            "no_territory",
            "Deals without a territory",
            deals["no_territory"],
            fmt(deals["no_territory"], COUNT),
            link("deals", measure="all", missing="territory"),
            note=f"of {deals['total']:,} deals",
        ),
        Tile(
            "accounts_no_territory",
            "Accounts without a territory",
            accounts["no_territory"],
            fmt(accounts["no_territory"], COUNT),
            link("accounts", missing="territory"),
            note=f"of {accounts['total']:,} accounts",
        ),
        import_tile(),
        snapshot_tile(snapshot, today),
        forecast_tile(today),
    ]
    counts = table_counts(scope, deals["total"], accounts["total"])
    return Dashboard(
        "admin",
        "Data health",
        f"Today {today}",
        tiles,
        [counts, links_table()],
        notices=[]
        if deals["total"]
        else [
            "No deals yet. Load the demo (`python manage.py load_demo`) or import your own data."
        ],
    )


def import_tile() -> Tile:
    found = last_import()
    if found is None:
        return Tile(
            "last_import",
            "Last import",
            None,
            "None yet",
            note="Imports are not set up yet; data comes from the admin, the API or "
            "`python manage.py load_demo`.",
        )
    return Tile(
        "last_import",
        "Last import",
        found.rows,
        f"{found.at:%Y-%m-%d %H:%M}",
        found.url,
        note=f"{found.source}: {found.rows:,} rows, {found.errors:,} errors",
    )


def snapshot_tile(last: date | None, today: date) -> Tile:
    if last is None:
        return Tile(
            "snapshot",
            "Latest pipeline snapshot",
            None,
            "None yet",
            note="Snapshots are taken nightly by the Celery beat schedule.",
            trend="down",
        )
    age = (today - last).days
    stale = age > STALE_AFTER_DAYS
    return Tile(
        "snapshot",
        "Latest pipeline snapshot",
        age,
        last.isoformat(),
        note=f"{age:,} days old, stale" if stale else "up to date",
        trend="down" if stale else "",
    )


def forecast_tile(today: date) -> Tile:
    health = forecast_health(today)
    if health is None or health.last_run is None:
        return Tile(
            "forecast",
            "Latest forecast run",
            None,
            "None yet",
            note="No forecast yet: run `python manage.py run_forecast`.",
        )
    return Tile(
        "forecast",
        "Latest forecast run",
        None,
        f"{health.last_run:%Y-%m-%d %H:%M}",
        note=health.note,
        trend="down" if health.stale else "",
    )


def table_counts(scope, deals: int, accounts: int) -> Table:
    rows = [
        ("People", User.objects.count(), "territories_user"),
        ("Teams", Team.objects.count(), "territories_team"),
        ("Territories", Territory.objects.count(), "territories_territory"),
        ("Accounts", accounts, "pipeline_account"),
        ("Products", Product.objects.count(), "pipeline_product"),
        ("Stages", Stage.objects.count(), "pipeline_stage"),
        ("Deals", deals, "pipeline_deal"),
        ("Activities", scope.activities.count(), "pipeline_activity"),
        ("Subscriptions", scope.subscriptions.count(), "pipeline_subscription"),
        ("Survey answers", scope.surveys.count(), "pipeline_surveyresponse"),
        ("Quotas", Quota.objects.count(), "quotas_quota"),
        ("Pipeline snapshots", PipelineSnapshot.objects.count(), "forecasting_pipelinesnapshot"),
    ]
    return Table(
        "counts",
        "What is in Pacer",
        [("Table", False), ("Rows", True)],
        [[Cell(label, _admin(name)), Cell(f"{count:,}", num=True)] for label, count, name in rows],
    )


def links_table() -> Table:
    rows = [
        ("Territories", reverse("territories:territory-list"), "the tree, reps and their dates"),
        ("Assignment rules", reverse("territories:rule-list"), "which account goes where"),
        ("Territory balance", reverse("territories:balance"), "potential per rep, moves"),
        ("Segments", reverse("territories:segments"), "tiers, ABC, ideal-customer score"),
        ("Quota planning", reverse("quotas:plan"), "the grid, roll-ups and gaps"),
        ("Quota allocation", reverse("quotas:allocate"), "share a total among reps"),
        ("Compensation plans", _admin("compensation_compplan"), "plans, tiers and assignments"),
        ("Users and roles", _admin("territories_user"), "who reports to whom"),
        ("Imports", reverse("imports:upload"), "load CSV files, with a dry run first"),
        ("Audit log", _admin("territories_auditentry"), "who changed what"),
    ]
    return Table(
        "links",
        "Manage",
        [("Where", False), ("What", False)],
        [[Cell(label, url), Cell(what)] for label, url, what in rows],
    )


def _admin(name: str) -> str | None:
    try:
        return reverse(f"admin:{name}_changelist")
    except NoReverseMatch:
        return None
