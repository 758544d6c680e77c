"""Stage history from CRM exports: Salesforce's Opportunity History report and HubSpot's
"Date entered" columns write the deals' past, so the pipeline of a past day, stage conversion
and time in stage work on imported data. Expected values are worked out from the files."""

import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from metrics.queries.stages import stage_flow
from pipeline.models import Deal, DealChange
from tests.imports.conftest import run_import

FILES = Path(__file__).resolve().parent / "files"
pytestmark = pytest.mark.django_db


def import_crm(name: str, preset: str) -> str:
    out = io.StringIO()
    call_command("import_crm", str(FILES / name), "--preset", preset, stdout=out)
    return out.getvalue()


def stock(as_of: str) -> tuple:
    out = io.StringIO()
    call_command("kpis", "--format", "json", "--as-of", as_of, stdout=out)
    total = json.loads(out.getvalue())["total"]
    return total["open_deals"], total["pipeline_amount"], total["weighted_pipeline"]


def kpis(*args: str) -> dict:
    out = io.StringIO()
    call_command("kpis", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def at(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


@pytest.fixture
def salesforce():
    import_crm("salesforce_opportunities.csv", "salesforce_opportunities")
    return import_crm("salesforce_opportunity_history.csv", "salesforce_opportunity_history")


def test_a_salesforce_history_report_writes_each_stage_change(salesforce):
    # 15 rows: "Created." and "Next Step" are skipped; the Closed Won and Closed Lost rows find
    # the close already recorded on the close date. The Globex stage and probability changes
    # at 11:00 on 11/25 count as two rows of the file and make one history row.
    assert "15 rows, 10 created, 0 updated, 5 unchanged" in salesforce
    assert "skipped: Created. (1), Next Step (1)." in salesforce
    globex = Deal.objects.get(name="Globex platform")
    steps = [(c.changed_at, c.stage.name if c.stage else None, c.probability)
             for c in DealChange.objects.filter(deal=globex)]  # fmt: skip
    assert steps == [
        (at("2026-11-01 00:00"), None, 60),
        (at("2026-11-01 08:00"), "Qualification", None),
        (at("2026-11-10 14:05"), "Proposal/Price Quote", None),
        (at("2026-11-25 11:00"), "Negotiation/Review", 60),
        (steps[4][0], "Negotiation/Review", 60),  # the import itself, from the deals file
    ]


def test_importing_the_same_history_again_changes_nothing(salesforce):
    rows = list(DealChange.objects.values_list("id", flat=True))

    again = import_crm("salesforce_opportunity_history.csv", "salesforce_opportunity_history")

    assert "15 rows, 0 created, 0 updated, 15 unchanged" in again
    assert list(DealChange.objects.values_list("id", flat=True)) == rows


def test_the_open_pipeline_of_past_days_follows_the_history(salesforce):
    # 3/15: only Acme renewal is open, 12,500 at Proposal/Price Quote (75 %).
    assert stock("2026-03-15") == (1, 12500, 9375)
    # 7/25: Initech expansion, 4,000 at Negotiation/Review (90 %); Initech pilot lost in May.
    assert stock("2026-07-25") == (1, 4000, 3600)
    # 11/15: Globex 8,000 at Proposal/Price Quote (75 %, its own 60 % came on 11/25) and
    # Acme add-on 2,000 at Prospecting (10 %).
    assert stock("2026-11-15") == (2, 10000, 6000 + 200)
    # 11/30: Globex at Negotiation/Review with its own 60 %.
    assert stock("2026-11-30") == (2, 10000, 4800 + 200)


def test_stage_conversion_and_time_in_stage_from_the_history(salesforce):
    # Moves: Acme renewal Prospecting -> Proposal (3/2 10:30) -> Closed Won (3/31 00:00, the
    # close date); Globex Qualification -> Proposal (11/10 14:05) -> Negotiation (11/25 11:00);
    # Initech pilot Prospecting -> Closed Lost (5/20 00:00); Initech expansion Qualification ->
    # Negotiation (7/20 9:00) -> Closed Won (8/10 00:00). Six of seven move on.
    spans = [
        at("2026-03-02 10:30") - at("2026-02-14 09:00"),
        at("2026-03-31 00:00") - at("2026-03-02 10:30"),
        at("2026-11-10 14:05") - at("2026-11-01 08:00"),
        at("2026-11-25 11:00") - at("2026-11-10 14:05"),
        at("2026-05-20 00:00") - at("2026-04-20 15:00"),
        at("2026-07-20 09:00") - at("2026-07-01 09:00"),
        at("2026-08-10 00:00") - at("2026-07-20 09:00"),
    ]
    mean = sum(spans, timedelta()) / len(spans)
    total = kpis()["total"]
    assert total["stage_conversion"] == round(6 / 7, 4)
    assert total["time_in_stage_days_mean"] == round(mean.total_seconds() / 86400, 1)

    # Anna's four moves all move on; Boris's one move is to Closed Lost.
    groups = {g["key"]: g for g in kpis("--by", "rep")["groups"]}
    assert (
        groups["Anna Snelling"]["stage_conversion"],
        groups["Boris Novak"]["stage_conversion"],
    ) == (1, 0)
    # In March alone: the two moves of Acme renewal.
    march = kpis("--from", "2026-03-01", "--to", "2026-03-31")["total"]
    assert march["stage_conversion"] == 1
    days = (spans[0] + spans[1]).total_seconds() / 86400 / 2
    assert march["time_in_stage_days_mean"] == round(days, 1)


def test_stage_flow_gives_each_stage_its_conversion_and_days(salesforce):
    from core.periods import ALL_TIME

    flow = {stage.name: row for stage, row in stage_flow(Deal.objects.all(), ALL_TIME).items()}

    assert list(flow) == [
        "Prospecting",
        "Qualification",
        "Proposal/Price Quote",
        "Negotiation/Review",
    ]
    assert (flow["Prospecting"]["moves"], flow["Prospecting"]["conversion"]) == (2, Decimal("0.5"))
    assert (flow["Qualification"]["moves"], flow["Qualification"]["conversion"]) == (2, 1)
    proposal = at("2026-03-31 00:00") - at("2026-03-02 10:30")
    proposal += at("2026-11-25 11:00") - at("2026-11-10 14:05")
    seconds = Decimal(int(proposal.total_seconds()))
    assert flow["Proposal/Price Quote"]["days_mean"] == seconds / 86400 / 2


def test_each_kind_of_bad_history_row_is_reported_and_nothing_changes():
    import_crm("salesforce_opportunities.csv", "salesforce_opportunities")
    rows = DealChange.objects.count()

    with pytest.raises(CommandError, match="6 errors: nothing was changed"):
        import_crm("salesforce_opportunity_history_errors.csv", "salesforce_opportunity_history")

    _, report = run_import(FILES / "salesforce_opportunity_history_errors.csv",
                           mapping="salesforce_opportunity_history.yaml")  # fmt: skip
    assert sorted((e.line, e.column, e.value) for e in report.errors) == [
        (3, "Opportunity Name", "No such deal"),
        (4, "Edit Date", "2026-13-45"),
        (5, "New Value", "Verbal Yes"),
        (6, "New Value", "8.000,00"),
        (7, "New Value", "160"),
        (8, "", ""),
    ]
    assert DealChange.objects.count() == rows


def test_hubspot_date_entered_columns_are_each_deals_stage_path():
    out = import_crm("hubspot_deals.csv", "hubspot_deals")

    assert "4 created" in out
    # 3/15: Wayne (20,000) in Appointment Scheduled, 20 %.
    assert stock("2026-03-15") == (1, 20000, 4000)
    # 5/20: Wayne in Contract Sent (90 %) since 5/15; Umbrella (6,000) in Appointment
    # Scheduled (20 %) since 5/5.
    assert stock("2026-05-20") == (2, 26000, 18000 + 1200)
    # 10/15: Stark (10,000.50) in Qualified To Buy (40 %) since 10/1; Oscorp not created yet.
    assert stock("2026-10-15") == (1, 10000.5, 4000.2)
    # 11/20: Stark in Contract Sent (90 %), Oscorp (4,000) in Qualified To Buy (40 %).
    assert stock("2026-11-20") == (2, 14000.5, 9000.45 + 1600)
    # Today: Stark at its own 50 %.
    assert stock("2026-12-02")[2] == 5000.25 + 1600
    # Eight moves, all on but Umbrella's to Closed Lost.
    assert kpis()["total"]["stage_conversion"] == 0.875

    again = import_crm("hubspot_deals.csv", "hubspot_deals")
    assert "0 created, 0 updated, 4 unchanged" in again


def test_a_bad_date_entered_cell_is_an_error_on_its_column(write_csv):
    header = (FILES / "hubspot_deals.csv").read_text().splitlines()[0]
    row = (
        '"9201","Bad path","Qualified To Buy","Sales Pipeline","100","2027-01-15 00:00",'
        '"2026-10-20 08:00","Anna Snelling","Oscorp","New Business","","Paid Search",'
        '"yesterday","2026-11-02 10:30","","",""'
    )

    _, report = run_import(write_csv(f"{header}\n{row}\n"), mapping="hubspot_deals.yaml")

    [error] = report.errors
    column = 'Date entered "Appointment Scheduled (Sales Pipeline)"'
    assert (error.line, error.column, error.value) == (2, column, "yesterday")
    assert error.message == "Not a date in the format YYYY-MM-DD hh:mm."
    assert not Deal.objects.exists()
