"""Salesforce and HubSpot exports imported as they come, with `import_crm --preset`; the KPIs
they give are computed by hand from the rows of each file."""

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from org.models import User
from pipeline.models import Account, Deal, DealChange
from tests.imports.conftest import run_import

FILES = Path(__file__).resolve().parent / "files"
pytestmark = pytest.mark.django_db


def import_crm(name: str, preset: str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_crm", str(FILES / name), "--preset", preset, *args, stdout=out)
    return out.getvalue()


def kpis(*args: str) -> dict:
    out = io.StringIO()
    call_command("kpis", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_a_salesforce_opportunities_report_alone_is_enough_to_start():
    dry = import_crm("salesforce_opportunities.csv", "salesforce_opportunities", "--dry-run")

    assert "Dry run" in dry and "5 created" in dry
    assert "Would also create 3 accounts named in the file: Acme Corp, Globex, Initech." in dry
    assert "Would also create 2 users named in the file: Anna Snelling, Boris Novak." in dry
    assert "Warning: The file has no ID column: rows are recognised by Opportunity Name" in dry
    assert not Deal.objects.exists() and not User.objects.exists()

    applied = import_crm("salesforce_opportunities.csv", "salesforce_opportunities")

    assert "5 created" in applied
    anna = User.objects.get(username="anna.snelling")
    assert (anna.first_name, anna.last_name, anna.role) == ("Anna", "Snelling", "rep")
    assert not anna.has_usable_password()  # no sign-in until an admin sets a password
    renewal = Deal.objects.get(name="Acme renewal 2026")
    assert (renewal.amount, renewal.currency, renewal.type) == (
        Decimal("12500.00"),
        "USD",
        "renewal",
    )
    assert (renewal.status, renewal.closed_on, renewal.created_on) == (
        "won",
        date(2026, 3, 31),
        date(2026, 2, 14),
    )
    assert (renewal.account.name, renewal.owner, renewal.lead_source) == ("Acme Corp", anna, "Web")
    platform = Deal.objects.get(name="Globex platform")
    assert (platform.probability, platform.stage.probability) == (60, 90)
    assert platform.expected_close_on == date(2026, 12, 15)
    assert DealChange.objects.filter(deal=platform).latest("changed_at").probability == 60


def test_reimporting_the_same_report_updates_instead_of_duplicating():
    import_crm("salesforce_opportunities.csv", "salesforce_opportunities")
    keys = set(Deal.objects.values_list("external_id", flat=True))
    history = DealChange.objects.count()

    again = import_crm("salesforce_opportunities.csv", "salesforce_opportunities")

    assert "0 created, 0 updated, 5 unchanged" in again
    assert set(Deal.objects.values_list("external_id", flat=True)) == keys
    assert DealChange.objects.count() == history
    assert (Account.objects.count(), User.objects.count()) == (3, 2)


def test_the_kpis_of_a_salesforce_report_by_hand():
    import_crm("salesforce_opportunities.csv", "salesforce_opportunities")

    total = kpis()["total"]
    # Won: 12,500 + 4,000; lost: 3,000. Open: 8,000 at its own 60 % and 2,000 at the
    # Prospecting stage's 10 % (no probability of its own).
    assert (total["revenue"], total["deals_won"], total["deals_lost"]) == (16500, 2, 1)
    assert total["win_rate"] == 0.6667  # 2 / 3, shown to 4 places
    assert (total["open_deals"], total["pipeline_amount"]) == (2, 10000)
    assert total["weighted_pipeline"] == 8000 * 0.60 + 2000 * 0.10

    groups = {g["key"]: g for g in kpis("--by", "source")["groups"]}
    assert list(groups) == ["Partner Referral", "Trade Show", "Web"]
    assert (groups["Web"]["revenue"], groups["Web"]["win_rate"]) == (12500, 0.5)
    assert (
        groups["Partner Referral"]["revenue"],
        groups["Partner Referral"]["weighted_pipeline"],
    ) == (
        4000,
        4800,
    )
    assert (groups["Trade Show"]["pipeline_amount"], groups["Trade Show"]["win_rate"]) == (
        2000,
        None,
    )


def test_each_kind_of_bad_row_in_a_salesforce_report_is_reported_and_nothing_changes():
    with pytest.raises(CommandError, match="8 errors: nothing was changed"):
        import_crm("salesforce_opportunities_errors.csv", "salesforce_opportunities")

    run, report = run_import(FILES / "salesforce_opportunities_errors.csv",
                             mapping="salesforce_opportunities.yaml")  # fmt: skip
    found = sorted((e.line, e.column, e.value, e.message) for e in report.errors)
    assert [(line, column, value) for line, column, value, _ in found] == [
        (3, "Amount", "12,50"),
        (4, "Close Date", "31/01/2027"),
        (5, "Stage", "Closed Maybe"),
        (6, "Probability (%)", "150"),
        (7, "Amount", "(USD 500.00)"),
        (8, "Opportunity Name + Account Name + Created Date", "Fine deal / Acme Corp / 11/20/2026"),
        (9, "", ""),
        (10, "Type", "Partner Resale"),
    ]
    messages = [message for *_, message in found]
    assert messages[0].startswith("Ambiguous number '12,50'")
    assert messages[1] == "Not a date in the format MM/DD/YYYY."
    assert messages[2].startswith("No stage has this name.")
    assert messages[3] == "A win probability is a percent from 0 to 100."
    assert messages[4] == "A deal amount cannot be negative."
    assert messages[5] == (
        "Duplicate row: line 2 has the same Opportunity Name + Account Name + Created Date."
    )
    assert messages[6] == "This row has 4 cells; the header has 13."
    assert messages[7].startswith("Not one of: new_business")
    assert not Deal.objects.exists() and not User.objects.exists()


def test_salesforce_users_then_accounts_then_opportunities_fit_together():
    import_crm("salesforce_users.csv", "salesforce_users")
    import_crm("salesforce_accounts.csv", "salesforce_accounts")
    out = import_crm("salesforce_opportunities.csv", "salesforce_opportunities")

    assert "Also created 1 accounts named in the file: Globex." in out
    assert "users named" not in out
    anna = User.objects.get(username="anna.snelling")
    assert (anna.email, anna.title, anna.manager.username) == (
        "anna@acme.example",
        "Account Executive",
        "maria.lopez",
    )
    acme = Account.objects.get(name="Acme Corp")
    assert (acme.external_id, acme.employees, acme.annual_revenue) == (
        "Acme Corp",
        1200,
        Decimal("5000000.00"),
    )
    assert acme.owner == anna
    assert Account.objects.get(name="Initech Europe").parent.name == "Initech"
    assert Deal.objects.filter(account=acme).count() == 2
    assert User.objects.count() == 3


def test_a_hubspot_deals_export_with_its_owners_and_companies():
    import_crm("hubspot_owners.csv", "hubspot_owners")
    import_crm("hubspot_companies.csv", "hubspot_companies")
    out = import_crm("hubspot_deals.csv", "hubspot_deals")

    assert "4 created" in out and "Warning" not in out
    # Two deals name companies the companies export lacks: they are created by name.
    assert "Also created 2 accounts named in the file: Oscorp, Umbrella Corp." in out
    assert "users named" not in out
    stark = Deal.objects.get(external_id="9002")
    assert (stark.amount, stark.probability, stark.type) == (Decimal("10000.50"), 50, "expansion")
    assert (stark.created_on, stark.expected_close_on) == (date(2026, 9, 10), date(2026, 12, 20))
    assert (stark.account.external_id, stark.owner.email) == ("5002", "boris@hub.example")
    assert stark.owner.team.name == "East"
    assert Account.objects.get(external_id="5003").parent.external_id == "5002"

    total = kpis()["total"]
    # Won 20,000; lost 6,000. Open: 10,000.50 at its own 50 %, 4,000 at Qualified To Buy's 40 %.
    assert (total["revenue"], total["win_rate"]) == (20000, 0.5)
    assert total["pipeline_amount"] == 14000.5
    assert total["weighted_pipeline"] == 5000.25 + 1600
    by_source = {g["key"]: g["revenue"] for g in kpis("--by", "source")["groups"]}
    assert by_source == {"Organic Search": 20000, "Paid Search": 0, "Referrals": 0}


def test_each_kind_of_bad_row_in_a_hubspot_export():
    with pytest.raises(CommandError, match="8 errors: nothing was changed"):
        import_crm("hubspot_deals_errors.csv", "hubspot_deals")

    _, report = run_import(FILES / "hubspot_deals_errors.csv", mapping="hubspot_deals.yaml")
    found = sorted((e.line, e.column, e.value) for e in report.errors)
    assert found == [
        (3, "Amount", "10,00"),
        (4, "Close Date", "01/15/2027"),
        (5, "Deal Stage", "Verbal Yes"),
        (6, "Deal probability", "1.5"),
        (7, "Amount", "-100"),
        (8, "Record ID", "9101"),
        (9, "", ""),
        (10, "Deal Type", "Partner Deal"),
    ]
    assert not Deal.objects.exists()
