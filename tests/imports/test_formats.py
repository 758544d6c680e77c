"""What a CSV may look like: BOM, semicolons, quotes, CRM export headers, JSON mappings."""

import json
from datetime import date
from decimal import Decimal

import pytest

from imports.mapping import MappingError, mapping_from_dict
from pipeline.models import Deal
from tests.factories import AccountFactory
from tests.imports.conftest import run_import


@pytest.fixture
def world(stages, rep):
    AccountFactory(name="Acme, Inc.", external_id="ACME")


def test_bom_semicolons_and_quoted_fields(world, write_csv):
    text = (
        "external_id;name;account;owner;stage;amount;created_on\n"
        'D-1;"Big; ""quoted""\nname";"Acme, Inc.";rep;Proposal;1200.50;2026-01-05\n'
        "D-2;Small;ACME;Rita Rep;Prospecting;;2026-01-07\n"
    )
    path = write_csv("\ufeff".encode() + text.encode())

    _, report = run_import(path, kind="deals")

    assert (report.rows, report.created, report.error_count) == (2, 2, 0)
    big = Deal.objects.get(external_id="D-1")
    assert big.name == 'Big; "quoted"\nname'
    assert (big.account.external_id, big.amount, big.owner.username) == (
        "ACME",
        Decimal("1200.50"),
        "rep",
    )
    assert Deal.objects.get(external_id="D-2").amount is None


def test_error_lines_count_physical_lines_after_a_multiline_field(world, write_csv):
    text = (
        "external_id,name,owner,stage,created_on\n"
        'D-1,"two\nlines",rep,Proposal,2026-01-05\n'
        "D-2,bad,rep,Proposal,05/01/2026\n"
    )
    _, report = run_import(write_csv(text), kind="deals")

    assert [(e.line, e.column) for e in report.errors] == [(4, "created_on")]


def test_salesforce_opportunity_export_headers_need_no_mapping(world, write_csv):
    text = (
        "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Stage,Amount,"
        "Close Date,Created Date,Type\n"
        "006A,Renewal,ACME,Rita Rep,Won,900,2026-02-01,2026-01-02,Renewal\n"
        "006B,Upsell,ACME,rep,Negotiation,300,2026-03-31,2026-01-03,New Business\n"
    )
    _, report = run_import(write_csv(text), kind="deals")

    assert (report.created, report.error_count) == (2, 0)
    won, open_deal = Deal.objects.get(external_id="006A"), Deal.objects.get(external_id="006B")
    assert (won.status, won.closed_on, won.type) == ("won", date(2026, 2, 1), "renewal")
    assert (open_deal.closed_on, open_deal.expected_close_on) == (None, date(2026, 3, 31))
    assert open_deal.type == "new_business"


def test_a_json_mapping_with_aliases_defaults_and_date_format(world, write_csv, tmp_path):
    mapping = {
        "kind": "deals",
        "date_format": "%d/%m/%Y",
        "columns": {
            "external_id": "Ref",
            "owner": "Seller",
            "stage": {"column": "Phase", "values": {"Signed": "Won", "Dead": "Lost"}},
            "created_on": "Opened",
            "close_date": "Closed",
            "amount": "Value",
        },
        "defaults": {"currency": "EUR"},
    }
    (tmp_path / "m.json").write_text(json.dumps(mapping))
    text = "Ref,Seller,Phase,Opened,Closed,Value\nR1,rep,Signed,05/01/2026,20/02/2026,10\n"

    _, report = run_import(write_csv(text), mapping=str(tmp_path / "m.json"))

    deal = Deal.objects.get(external_id="R1")
    assert report.created == 1
    assert (deal.stage.name, deal.closed_on, deal.currency, deal.name) == (
        "Won",
        date(2026, 2, 20),
        "EUR",
        "R1",
    )


def test_a_mapping_naming_an_unknown_field_is_refused():
    with pytest.raises(MappingError, match="deals have no field 'colour'"):
        mapping_from_dict({"kind": "deals", "columns": {"colour": "Colour"}})


def test_a_reference_the_mapping_may_not_create_is_refused():
    with pytest.raises(MappingError, match="stage cannot be created"):
        mapping_from_dict({"kind": "deals", "create_missing": {"stage": {}}})


def test_missing_products_are_created_only_with_what_a_product_needs(world, write_csv, tmp_path):
    text = "external_id,owner,stage,product,created_on\nD-1,rep,Proposal,Widget,2026-01-05\n"
    path = write_csv(text)
    mapping = {"kind": "deals", "columns": {n: n for n in text.split("\n")[0].split(",")}}

    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({**mapping, "create_missing": {"product": {}}}))
    _, refused = run_import(path, mapping=str(bare))
    priced = tmp_path / "priced.json"
    priced.write_text(json.dumps({**mapping, "create_missing": {"product": {"list_price": 10}}}))
    _, report = run_import(path, mapping=str(priced))

    assert [(e.line, e.column) for e in refused.errors] == [(2, "product")]
    assert "Cannot create product 'Widget'" in refused.errors[0].message
    assert (report.created, report.notes) == (1, {"products": 1})
    assert Deal.objects.get().product.list_price == 10
