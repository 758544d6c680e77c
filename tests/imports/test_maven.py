"""The Maven CRM data set through the shipped mappings: figures equal pandas over the CSVs."""

import json
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from django.core.management import call_command

from core.periods import Period, add_months
from metrics.scope import Scope
from metrics.service import kpi_panel
from org.models import Role, Team, User
from pipeline.models import Account, Deal, DealChange, Product, Stage
from territories.models import Territory, TerritoryAssignment
from tests.imports.conftest import MAVEN, import_maven, run_import

TODAY = date(2018, 1, 1)
COLUMNS = {"rep": "sales_agent", "manager": "manager", "territory": "regional_office"}


@pytest.fixture
def maven(db) -> list:
    return import_maven()


def pandas_figures(column: str) -> pd.DataFrame:
    """Deals won and lost, won revenue and win rate per `column`, straight from the CSVs."""
    deals = pd.read_csv(MAVEN / "sales_pipeline.csv").merge(
        pd.read_csv(MAVEN / "sales_teams.csv"), on="sales_agent"
    )
    deals["won"] = deals["deal_stage"] == "Won"
    deals["lost"] = deals["deal_stage"] == "Lost"
    deals["won_value"] = deals["close_value"].where(deals["won"], 0)
    frame = deals.groupby(column).agg(
        won=("won", "sum"), lost=("lost", "sum"), revenue=("won_value", "sum")
    )
    frame["win_rate"] = frame["won"] / (frame["won"] + frame["lost"])
    return frame


def test_every_row_is_imported_once(maven):
    assert [(r.rows, r.created, r.error_count) for r in maven] == [
        (7, 7, 0),
        (35, 35, 0),
        (85, 85, 0),
        (8800, 8800, 0),
    ]
    assert Deal.objects.count() == 8800
    # Each deal: open from its engage date (stage unknown), then closed or in its stage now.
    assert DealChange.objects.count() == 2 * 8800
    assert DealChange.objects.filter(stage__isnull=True).count() == 8800
    assert Stage.objects.count() == 4


@pytest.mark.parametrize("by", COLUMNS)
def test_kpis_per_group_equal_pandas(maven, by):
    expected = pandas_figures(COLUMNS[by])

    panel = kpi_panel(Scope.everything(), by=by, today=TODAY)

    groups = {group.key: group.values for group in panel.groups}
    for name, row in expected.iterrows():
        assert groups[name]["deals_won"] == row["won"]
        assert groups[name]["deals_lost"] == row["lost"]
        assert groups[name]["revenue"] == Decimal(int(row["revenue"]))
        assert float(groups[name]["win_rate"]) == pytest.approx(row["win_rate"], rel=1e-12)
    assert panel.total["deals_won"] == expected["won"].sum() == 4238
    assert panel.total["deals_lost"] == expected["lost"].sum() == 2473
    assert panel.total["revenue"] == Decimal(int(expected["revenue"].sum())) == 10005534


def test_product_spelled_two_ways_is_one_product(maven):
    raw = pd.read_csv(MAVEN / "sales_pipeline.csv")
    gtx_pro = raw["product"].isin(["GTXPro", "GTX Pro"]).sum()

    assert Product.objects.count() == 7
    assert not Product.objects.filter(name="GTXPro").exists()
    assert Deal.objects.filter(product__name="GTX Pro").count() == gtx_pro == 1480


def test_misspelt_sector_is_fixed(maven):
    assert Account.objects.filter(industry="technology").count() == 12
    assert not Account.objects.filter(industry="technolgy").exists()
    assert Account.objects.get(name="Acme Corporation").annual_revenue == Decimal("1100040000")
    assert Account.objects.filter(parent__name="Acme Corporation").count() == 4


def test_open_deals_without_account_date_or_value_are_kept_open(maven):
    open_deals = Deal.objects.filter(status="open")

    assert open_deals.count() == 8800 - 4238 - 2473
    assert open_deals.filter(account__isnull=True).count() == 1425
    assert open_deals.filter(amount__isnull=True, expected_close_on__isnull=True).count() == 2089
    raw = pd.read_csv(MAVEN / "sales_pipeline.csv")
    assert raw["engage_date"].isna().sum() == 500
    first_day = raw["engage_date"].isna() | (raw["engage_date"] == "2016-10-20")
    assert Deal.objects.filter(created_on=date(2016, 10, 20)).count() == first_day.sum()


def test_people_keep_their_names_and_offices(maven):
    teams = pd.read_csv(MAVEN / "sales_teams.csv")
    idle = set(teams["sales_agent"]) - set(pd.read_csv(MAVEN / "sales_pipeline.csv")["sales_agent"])

    reps = User.objects.filter(role=Role.REP)
    assert reps.count() == 35 and User.objects.filter(role=Role.MANAGER).count() == 6
    assert len(idle) == 5
    for name in idle:
        first, last = name.split(" ", 1)
        rep = reps.get(first_name=first, last_name=last)
        assert not rep.deals.exists()
    anna = User.objects.get(username="anna.snelling")
    assert str(anna.manager) == "Dustin Brinkmann"
    assert anna.team == Team.objects.get(name="Dustin Brinkmann's team", manager=anna.manager)
    assert TerritoryAssignment.objects.get(rep=anna).territory.name == "Central"
    assert set(Territory.objects.values_list("name", flat=True)) == {"Central", "East", "West"}
    assert Deal.objects.exclude(territory=None).count() == 8800


def test_importing_twice_changes_nothing(maven):
    before = {m: m.objects.count() for m in (Deal, DealChange, Account, Product, User, Team)}

    again = import_maven()

    assert [(r.created, r.updated, r.unchanged) for r in again] == [
        (0, 0, 7),
        (0, 0, 35),
        (0, 0, 85),
        (0, 0, 8800),
    ]
    assert {m: m.objects.count() for m in before} == before


def pandas_open_on(day: date) -> pd.DataFrame:
    """Per agent, deals engaged by `day` and not won or lost by it, and their close values."""
    deals = pd.read_csv(MAVEN / "sales_pipeline.csv", parse_dates=["engage_date", "close_date"])
    created = deals["engage_date"].fillna(pd.Timestamp("2016-10-20"))
    closed = deals["deal_stage"].isin(["Won", "Lost"]) & (deals["close_date"] <= pd.Timestamp(day))
    still_open = deals[(created <= pd.Timestamp(day)) & ~closed]
    return still_open.groupby("sales_agent").agg(
        deals=("opportunity_id", "count"), amount=("close_value", "sum")
    )


@pytest.mark.parametrize("day", [date(2016, 12, 31), date(2017, 5, 15), date(2017, 9, 30)])
def test_kpis_as_of_a_past_day_equal_the_deals_open_then(maven, day, capsys):
    expected = pandas_open_on(day)

    call_command(
        "kpis", "--as-of", day.isoformat(), "--by", "rep", "--format", "json",
        "--kpi", "open_deals,pipeline_amount",
    )  # fmt: skip

    shown = json.loads(capsys.readouterr().out)
    assert shown["total"] == {
        "open_deals": int(expected["deals"].sum()),
        "pipeline_amount": float(expected["amount"].sum()),
    }
    assert shown["total"]["open_deals"] > 500  # a real pipeline on each of the days
    by_rep = {row.pop("key"): row for row in shown["groups"] if row["open_deals"]}
    assert by_rep == {
        agent: {"open_deals": int(row["deals"]), "pipeline_amount": float(row["amount"])}
        for agent, row in expected.iterrows()
    }


QUARTERS = [
    Period(add_months(date(2016, 10, 1), 3 * i), add_months(date(2016, 10, 1), 3 * i + 3))
    for i in range(5)
]  # fmt: skip  2016-Q4 to 2017-Q4
PAST = ("revenue", "deals_won", "deals_lost", "win_rate")


def quarters_by(by: str) -> dict:
    """Each past quarter's figures per group, exactly."""
    return {
        (quarter.start, group.key): tuple(group.values[key] for key in PAST)
        for quarter in QUARTERS
        for group in kpi_panel(Scope.everything(), quarter, by, today=TODAY).groups
    }


def open_by(by: str) -> dict:
    panel = kpi_panel(Scope.everything(), by=by, today=TODAY)
    return {g.key: (g.values["open_deals"], g.values["pipeline_amount"]) for g in panel.groups}


def rewritten(tmp_path, name: str, column: str, who: str, value: str, where: str = "sales_agent"):
    frame = pd.read_csv(MAVEN / name, dtype=str, keep_default_na=False)
    frame.loc[frame[where] == who, column] = value
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_a_re_import_handing_an_agent_s_deals_on_keeps_past_quarters(maven, tmp_path):
    """Moses Frase's 260 deals go to Darcel Schlecht: his 195 won and lost stay his in every
    past quarter; his 65 open deals move."""
    before, open_before = quarters_by("rep"), open_by("rep")
    path = rewritten(tmp_path, "sales_pipeline.csv", "sales_agent", "Moses Frase",
                     "Darcel Schlecht")  # fmt: skip

    _, report = run_import(path, mapping="maven_crm_sales_pipeline.yaml")

    assert (report.updated, report.error_count) == (260, 0)
    assert quarters_by("rep") == before
    assert sum(v[1] for (_, rep), v in before.items() if rep == "Moses Frase") == 129
    moses, darcel = open_before["Moses Frase"], open_before["Darcel Schlecht"]
    assert moses[0] == 65 and darcel[0] == 194
    after = open_by("rep")
    assert after["Moses Frase"] == (0, 0)
    assert after["Darcel Schlecht"] == (65 + 194, moses[1] + darcel[1])


def test_a_re_import_moving_an_agent_to_another_manager_keeps_past_quarters(maven, tmp_path):
    """Moses Frase moves from Dustin Brinkmann to Melvin Marxen on the day of the re-import:
    Dustin keeps every past quarter; Moses's open pipeline is Melvin's now, and was Dustin's
    on any day before the move."""
    before, open_before = quarters_by("manager"), open_by("manager")
    moses = open_by("rep")["Moses Frase"]
    path = rewritten(tmp_path, "sales_teams.csv", "manager", "Moses Frase", "Melvin Marxen")

    _, report = run_import(path, mapping="maven_crm_sales_teams.yaml")

    assert (report.updated, report.error_count) == (1, 0)
    assert quarters_by("manager") == before
    after = open_by("manager")
    dustin, melvin = open_before["Dustin Brinkmann"], open_before["Melvin Marxen"]
    assert after["Dustin Brinkmann"] == (dustin[0] - moses[0], dustin[1] - moses[1])
    assert after["Melvin Marxen"] == (melvin[0] + moses[0], melvin[1] + moses[1])
    yesterday = kpi_panel(Scope.everything(), by="manager", as_of=date(2026, 12, 1))
    then = {g.key: g.values["open_deals"] for g in yesterday.groups}
    assert (then["Dustin Brinkmann"], then["Melvin Marxen"]) == (dustin[0], melvin[0])
