"""The real Maven CRM data set: Pacer's KPIs against an independent pandas computation."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from core.periods import inclusive_range
from metrics.scope import Scope
from metrics.service import kpi_panel
from tests.metrics.maven import MAVEN_DIR, load_maven

TODAY = date(2018, 1, 1)
COLUMNS = {"rep": "sales_agent", "manager": "manager", "territory": "regional_office"}


@pytest.fixture
def maven(db) -> int:
    if not MAVEN_DIR.exists():
        pytest.skip(f"the Maven CRM data set is not at {MAVEN_DIR}")
    return load_maven()


def pandas_kpis(column: str, first: str | None = None, last: str | None = None) -> pd.DataFrame:
    """Won, lost, revenue, win rate and median cycle per `column`, straight from the CSVs."""
    pipeline = pd.read_csv(
        MAVEN_DIR / "sales_pipeline.csv", parse_dates=["engage_date", "close_date"]
    )
    teams = pd.read_csv(MAVEN_DIR / "sales_teams.csv")
    deals = pipeline.merge(teams, on="sales_agent")
    closed = deals[deals["deal_stage"].isin(["Won", "Lost"])].copy()
    if first:
        closed = closed[closed["close_date"] >= first]
    if last:
        closed = closed[closed["close_date"] <= last]
    closed["won"] = closed["deal_stage"] == "Won"
    closed["lost"] = closed["deal_stage"] == "Lost"
    closed["cycle"] = (closed["close_date"] - closed["engage_date"]).dt.days
    closed["won_value"] = closed["close_value"].where(closed["won"], 0)
    frame = closed.groupby(column).agg(
        won=("won", "sum"), lost=("lost", "sum"), revenue=("won_value", "sum"),
        cycle_median=("cycle", "median"),
    )  # fmt: skip
    frame["win_rate"] = frame["won"] / (frame["won"] + frame["lost"])
    return frame


def check(values: dict, expected: pd.Series) -> None:
    assert values["deals_won"] == expected["won"]
    assert values["deals_lost"] == expected["lost"]
    assert values["revenue"] == Decimal(str(int(expected["revenue"])))
    assert float(values["win_rate"]) == pytest.approx(expected["win_rate"], rel=1e-12)
    assert float(values["sales_cycle_days_median"]) == expected["cycle_median"]


@pytest.mark.parametrize("by", COLUMNS)
def test_deal_kpis_per_group_match_pandas(maven, by):
    expected = pandas_kpis(COLUMNS[by])

    panel = kpi_panel(Scope.everything(), by=by, today=TODAY)

    groups = {group.key: group.values for group in panel.groups}
    for name, row in expected.iterrows():
        check(groups[name], row)
    assert panel.total["deals_won"] == expected["won"].sum() == 4238
    assert panel.total["deals_lost"] == expected["lost"].sum() == 2473


def test_agents_without_opportunities_are_listed_with_zeros(maven):
    teams = pd.read_csv(MAVEN_DIR / "sales_teams.csv")
    idle = set(teams["sales_agent"]) - set(pandas_kpis("sales_agent").index)

    groups = {g.key: g.values for g in kpi_panel(Scope.everything(), by="rep", today=TODAY).groups}

    assert len(idle) == 5 and len(groups) == 30 + 5
    for name in idle:
        assert (groups[name]["deals_won"], groups[name]["revenue"]) == (0, Decimal(0))
        assert groups[name]["win_rate"] is None


def test_a_closing_period_matches_pandas(maven):
    expected = pandas_kpis("regional_office", "2017-07-01", "2017-09-30")
    period = inclusive_range(date(2017, 7, 1), date(2017, 9, 30))

    panel = kpi_panel(Scope.everything(), period, by="territory", today=TODAY)

    groups = {group.key: group.values for group in panel.groups}
    for name, row in expected.iterrows():
        check(groups[name], row)
    total = pandas_kpis("regional_office", "2017-07-01", "2017-09-30").sum()
    assert panel.total["revenue"] == Decimal(str(int(total["revenue"])))
