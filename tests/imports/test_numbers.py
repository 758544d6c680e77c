"""Numbers as CRMs write them, parsed exactly; a cell that could be read two ways is an error."""

from decimal import Decimal

import pytest

from imports.numbers import Number, parse_number
from pipeline.models import Deal
from tests.imports.conftest import run_import


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("8,000.00", ".", Number(Decimal("8000.00"))),
        ("USD 12,500.00", ".", Number(Decimal("12500.00"), "USD")),
        ("12,500.00 EUR", ".", Number(Decimal("12500.00"), "EUR")),
        ("$1,234,567.89", ".", Number(Decimal("1234567.89"), "USD")),
        ("£ 99", ".", Number(Decimal("99"), "GBP")),
        ("(1,200.50)", ".", Number(Decimal("-1200.50"))),
        ("(USD 300.00)", ".", Number(Decimal("-300.00"), "USD")),
        ("-300", ".", Number(Decimal("-300"))),
        ("CHF 1'234.50", ".", Number(Decimal("1234.50"), "CHF")),
        ("1.234,56", ",", Number(Decimal("1234.56"))),
        ("€1.234.567,5", ",", Number(Decimal("1234567.5"), "EUR")),
        ("1\u00a0234,56 zł", ",", Number(Decimal("1234.56"), "PLN")),
        ("12,50", ",", Number(Decimal("12.50"))),
        ("0.1", ".", Number(Decimal("0.1"))),
        ("75%", ".", Number(Decimal("75"), percent=True)),
    ],
)
def test_each_form_is_read_exactly(text, decimal, expected):
    assert parse_number(text, decimal=decimal) == expected


def test_a_mapping_may_say_what_a_symbol_stands_for():
    assert parse_number("$5.00", symbols={"$": "CAD"}) == Number(Decimal("5.00"), "CAD")


@pytest.mark.parametrize(
    ("text", "decimal", "message"),
    [
        ("12,50", ".", "Ambiguous number '12,50'"),
        ("1.234,56", ".", "Ambiguous number '1.234,56'"),
        ("1,234.56", ",", "Ambiguous number '1,234.56'"),
        ("1,23,456", ".", "Ambiguous number '1,23,456'"),
        ("1,234 567", ".", "Ambiguous number '1,234 567'"),
        ("12.", ".", "Not a number: nothing after the decimal mark."),
        ("twelve", ".", "Not a number."),
        ("1e5", ".", "Not a number."),
        ("$ 5 EUR", ".", "Two currencies in one cell: USD and EUR."),
        ("(-5)", ".", "Not a number: two minus signs."),
    ],
)
def test_ambiguous_or_malformed_numbers_are_refused(text, decimal, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(".", r"\.")):
        parse_number(text, decimal=decimal)


HEADER = "external_id,name,owner,stage,amount,currency,created_on\n"


def test_the_currency_comes_from_the_amount_cell(stages, rep, write_csv):
    text = HEADER + 'D-1,One,rep,Proposal,"EUR 1,500.25",,2026-01-05\n'
    text += 'D-2,Two,rep,Proposal,"2,000.00",,2026-01-05\n'

    _, report = run_import(write_csv(text), kind="deals")

    assert report.error_count == 0
    one, two = Deal.objects.get(external_id="D-1"), Deal.objects.get(external_id="D-2")
    assert (one.amount, one.currency) == (Decimal("1500.25"), "EUR")
    assert (two.amount, two.currency) == (Decimal("2000.00"), "USD")


def test_number_errors_give_their_line_and_column_and_change_nothing(stages, rep, write_csv):
    text = HEADER + 'D-1,One,rep,Proposal,"1,500.25",,2026-01-05\n'
    text += 'D-2,Two,rep,Proposal,"12,50",,2026-01-05\n'
    text += "D-3,Three,rep,Proposal,USD 10,EUR,2026-01-05\n"
    text += "D-4,Four,rep,Proposal,(300.00),,2026-01-05\n"

    _, report = run_import(write_csv(text), kind="deals")

    found = [(e.line, e.column, e.value, e.message.split(":")[0]) for e in report.errors]
    assert sorted(found) == [
        (3, "amount", "12,50", "Ambiguous number '12,50'"),
        (4, "amount", "USD 10", "The amount is in USD; the currency column says EUR."),
        (5, "amount", "(300.00)", "A deal amount cannot be negative."),
    ]
    assert not Deal.objects.exists()


def test_a_decimal_comma_where_the_mapping_says_so(stages, rep, write_csv, tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        'kind: deals\ndecimal: ","\ncolumns: {external_id: Ref, owner: Owner, stage: Stage,'
        " amount: Betrag, created_on: Datum}\n"
    )
    text = 'Ref;Owner;Stage;Betrag;Datum\nD-1;rep;Proposal;"1.234,56 €";2026-01-05\n'

    _, report = run_import(write_csv(text), mapping=str(mapping))

    assert report.error_count == 0
    deal = Deal.objects.get()
    assert (deal.amount, deal.currency) == (Decimal("1234.56"), "EUR")
