"""Figures read at a glance: money on tiles and axes is compact (1.34M USD) with the exact amount
beside it, and the MRR waterfall frames its moves."""

from decimal import Decimal

import pytest

from core.formatting import money_compact
from dashboards.charts import MONEY_AXIS, waterfall, waterfall_range
from dashboards.templatetags.dashboards import compact_money


@pytest.mark.parametrize(
    "amount, shown",
    [
        ("1339900.00", "1.34M USD"),
        ("1345000", "1.35M USD"),
        ("20800.00", "20.8k USD"),
        ("409400", "409k USD"),
        ("999600", "1M USD"),
        ("12345678901", "12.3B USD"),
        ("1000", "1k USD"),
        ("999.99", "999.99 USD"),
        ("950.40", "950.40 USD"),
        ("-1200", "-1.2k USD"),
        ("-0.4", "-0.40 USD"),
        ("0", "0.00 USD"),
    ],
)
def test_three_significant_digits_with_a_scale(amount, shown):
    assert money_compact(Decimal(amount)) == shown


def test_no_value_is_a_dash_and_the_currency_is_kept():
    assert money_compact(None) == "—"
    assert money_compact(Decimal("2500000"), "EUR") == "2.5M EUR"


def test_a_tile_compacts_money_only():
    assert compact_money("4,336,100.00 USD") == "4.34M USD"
    assert compact_money("-12,500.00 EUR") == "-12.5k EUR"
    for other in ("39.3 %", "1,204", "21 days", "—", "2026-12-02 14:05"):
        assert compact_money(other) == other


def test_money_axes_name_their_currency():
    assert MONEY_AXIS == {"tickformat": "~s", "ticksuffix": " USD"}


@pytest.mark.django_db
def test_the_tile_shows_the_compact_amount_and_the_exact_one_on_hover(client, rep, stages):
    from tests.factories import DealFactory

    DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal("1339900.00"))
    client.force_login(rep)
    body = client.get("/dashboards/rep/").content.decode()
    assert 'title="1,339,900.00 USD"' in body
    assert '>1.34M <span class="unit">USD</span></a>' in body


def test_the_mrr_waterfall_axis_frames_the_moves_not_zero():
    labels = ["Opening MRR", "New", "Churned", "Closing MRR"]
    values = [150_000, 8_000, -3_000, None]
    measures = ["absolute", "relative", "relative", "total"]
    assert waterfall_range(values, measures) == [148_000.0, 160_000.0]
    figure = waterfall(labels, values, measures)
    assert list(figure.layout.yaxis.range) == [148_000.0, 160_000.0]
    assert waterfall_range([0, 500, None], ["absolute", "relative", "total"]) == [0.0, 625.0]
