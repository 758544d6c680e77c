"""The `kpis` and `kpi_docs` commands."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from metrics.definitions import KPIS
from tests.metrics.factories import DealFactory

pytestmark = pytest.mark.django_db


def kpis(*args: str) -> str:
    out = io.StringIO()
    call_command("kpis", *args, "--today", "2017-03-15", stdout=out)
    return out.getvalue()


@pytest.fixture
def deals(stages, rep, other_rep, idle_rep):
    closed = {"created_on": date(2017, 1, 2), "closed_on": date(2017, 2, 10)}
    DealFactory(stage=stages["Won"], owner=rep, amount=Decimal("1234.50"), **closed)
    DealFactory(stage=stages["Lost"], owner=rep, amount=Decimal("10"), **closed)
    DealFactory(stage=stages["Won"], owner=other_rep, amount=Decimal("99.99"),
                created_on=date(2016, 1, 4), closed_on=date(2016, 2, 1))  # fmt: skip


def test_json_has_a_total_and_one_object_per_group(deals):
    data = json.loads(kpis("--from", "2017-01-01", "--to", "2017-03-31", "--by", "rep",
                           "--format", "json"))  # fmt: skip
    assert list(data["total"]) == list(KPIS)
    groups = {group["key"]: group for group in data["groups"]}
    assert list(groups) == ["Ida Idle", "Olga Rep", "Rita Rep"]
    assert groups["Rita Rep"]["revenue"] == 1234.5
    assert groups["Rita Rep"]["win_rate"] == 0.5
    assert groups["Rita Rep"]["deals_won"] == 1
    assert groups["Olga Rep"]["revenue"] == 0  # her win was in 2016
    assert groups["Ida Idle"]["win_rate"] is None


def test_without_dates_it_covers_all_history(deals):
    data = json.loads(kpis("--format", "json", "--kpi", "revenue,deals_won"))
    assert data == {"total": {"revenue": 1334.49, "deals_won": 2}, "groups": []}


def test_months_are_keyed_like_2017_03(deals):
    data = json.loads(kpis("--from", "2017-01-01", "--to", "2017-03-31", "--by", "month",
                           "--format", "json", "--kpi", "revenue"))  # fmt: skip
    assert data["groups"] == [
        {"key": "2017-01", "revenue": 0}, {"key": "2017-02", "revenue": 1234.5},
        {"key": "2017-03", "revenue": 0},
    ]  # fmt: skip


def test_csv_has_a_row_per_group_and_the_total_last(deals):
    rows = list(csv.reader(io.StringIO(kpis("--by", "manager", "--format", "csv",
                                             "--kpi", "revenue,win_rate"))))  # fmt: skip
    assert rows == [
        ["key", "revenue", "win_rate"],
        ["Mia Manager", "1234.50", "0.5000"],
        ["Otto Other", "99.99", "1.0000"],
        ["(total)", "1334.49", "0.6667"],
    ]


def test_table_shows_no_value_as_a_dash(stages):
    out = kpis("--kpi", "revenue,win_rate")
    assert out.split() == ["revenue", "0.00", "win_rate", "—"]


def test_table_by_group_has_a_column_per_kpi(deals):
    lines = kpis("--by", "rep").splitlines()
    assert lines[0].split()[:3] == ["rep", "revenue", "deals_won"]
    assert lines[-1].split()[:2] == ["(total)", "1,334.49"]


def test_scope_options_narrow_the_panel(deals):
    data = json.loads(kpis("--rep", "other_rep", "--format", "json", "--kpi", "revenue"))
    assert data["total"]["revenue"] == 99.99
    with pytest.raises(CommandError, match="No rep"):
        kpis("--rep", "nobody")


def test_unknown_kpis_are_refused(deals):
    with pytest.raises(CommandError, match="Unknown KPI: revenu"):
        kpis("--kpi", "revenu")


def test_kpi_docs_check_passes_on_the_committed_page():
    call_command("kpi_docs", "--check")
