"""The KPI registry, its documentation page and its keys."""

import re
from pathlib import Path

import pytest
from django.utils.html import escape

from metrics.definitions import KPIS, PLACES, display, docs_markdown
from metrics.scope import Scope
from metrics.service import kpi_panel

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
PROMISED = (
    "revenue", "deals_won", "deals_lost", "win_rate", "close_rate", "average_deal_size",
    "sales_cycle_days_median", "sales_cycle_days_mean", "pipeline_amount", "weighted_pipeline",
    "mrr", "arr", "customer_churn_rate", "csat", "nps", "clv", "quota", "quota_attainment",
    "pipeline_coverage",
)  # fmt: skip


def test_docs_page_is_the_rendering_of_the_registry():
    assert DOCS.read_text(encoding="utf-8") == docs_markdown(), "run manage.py kpi_docs"


def test_keys_are_stable_snake_case_with_a_known_unit():
    for key, kpi in KPIS.items():
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", key)
        assert kpi.key == key and kpi.unit in PLACES
        assert kpi.label and kpi.formula and kpi.counts and kpi.empty


def test_the_promised_keys_exist():
    assert set(PROMISED) <= set(KPIS)


@pytest.mark.django_db
def test_the_panel_fills_exactly_the_registry():
    assert list(kpi_panel(Scope.everything()).total) == list(KPIS)


def test_display_rounds_half_up_per_unit():
    assert str(display(1234.505, "currency")) == "1234.51"
    assert str(display(2 / 3, "fraction")) == "0.6667"
    assert display(7, "count") == 7
    assert display(None, "fraction") is None


def test_the_dictionary_page_lists_every_kpi_from_the_registry(client, rep):
    client.force_login(rep)
    html = client.get("/dashboards/kpis/").content.decode()
    for kpi in KPIS.values():
        assert f'<tr id="kpi-{kpi.key}"><th scope="row">{escape(kpi.label)}</th>' in html
    assert escape(KPIS["win_rate"].formula) in html
