"""The other kinds: territories, reps and teams, accounts, activities, survey responses."""

import json
from datetime import UTC, date, datetime

from org.models import ReportingLine, Team, User
from pipeline.models import Account, Activity, SurveyResponse
from territories.models import Territory, TerritoryAssignment
from tests.factories import AccountFactory
from tests.imports.conftest import run_import


def test_territories_may_name_a_parent_further_down_the_file(db, write_csv):
    text = "name,kind,parent\nNorth-East,area,North\nNorth,region,\nBoston,territory,North-East\n"

    _, report = run_import(write_csv(text), kind="territories")

    assert (report.created, report.error_count) == (3, 0)
    assert Territory.objects.get(name="Boston").parent.parent.name == "North"
    _, again = run_import(write_csv(text), kind="territories")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_territory_cannot_be_its_own_parent(db, write_csv):
    _, report = run_import(write_csv("name,kind,parent\nLoop,region,Loop\n"), kind="territories")

    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (2, "parent", "This parent would make the tree a loop."),
        (2, "parent", "A territory cannot be its own parent."),
    ]
    assert not Territory.objects.exists()


def test_reps_with_manager_team_and_territory(db, write_csv):
    text = (
        "Full Name,email,manager,team,territory,role\n"
        "Mia Boss,mia@example.com,,North team,North,Sales manager\n"
        "Ann Lee,ann@example.com,Mia Boss,North team,North,rep\n"
    )
    path = write_csv(text)
    mapping = {"create_missing": {"team": {}, "territory": {"kind": "region"}}}
    mapping_path = path.with_name("reps.json")
    mapping_path.write_text(
        json.dumps(
            {
                "kind": "reps",
                "columns": {
                    "full_name": "Full Name",
                    "email": "email",
                    "manager": "manager",
                    "team": "team",
                    "territory": "territory",
                    "role": "role",
                },
                "assignment_start": "2026-01-01",
                **mapping,
            }
        )
    )

    _, report = run_import(path, mapping=str(mapping_path))

    assert (report.created, report.error_count) == (2, 0)
    ann = User.objects.get(username="ann.lee")
    assert (ann.first_name, ann.last_name, ann.manager.username, ann.role) == (
        "Ann",
        "Lee",
        "mia.boss",
        "rep",
    )
    assert User.objects.get(username="mia.boss").role == "manager"
    assert Team.objects.get(name="North team").manager == ann.manager
    assert TerritoryAssignment.objects.get(rep=ann).start == date(2026, 1, 1)
    assert not ann.has_usable_password()
    _, again = run_import(path, mapping=str(mapping_path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_salesforce_account_export(db, write_csv):
    text = (
        "Account ID,Account Name,Industry,Annual Revenue,Billing Country,Parent Account\n"
        "001B,Acme Europe,Software,,Germany,001A\n"
        "001A,Acme,Software,1000000,United States,\n"
    )

    _, report = run_import(write_csv(text), kind="accounts")

    assert (report.created, report.error_count) == (2, 0)
    europe = Account.objects.get(external_id="001B")
    assert (europe.parent.name, europe.country, europe.annual_revenue) == ("Acme", "Germany", None)


def test_activities_and_survey_responses(rep, write_csv):
    AccountFactory(name="Acme", external_id="A1")
    activities = (
        "rep,kind,occurred_at,account,outcome\nRita Rep,Call,2026-03-02T10:00:00+00:00,A1,ok\n"
    )
    surveys = "account,kind,score,responded_on\nAcme,nps,9,2026-03-05\nA1,csat,6,2026-03-06\n"

    _, done = run_import(write_csv(activities, "a.csv"), kind="activities")
    _, answered = run_import(write_csv(surveys, "s.csv"), kind="survey_responses")

    call = Activity.objects.get()
    assert (done.created, call.kind, call.occurred_at) == (
        1,
        "call",
        datetime(2026, 3, 2, 10, tzinfo=UTC),
    )
    assert [(e.line, e.column, e.value, e.message) for e in answered.errors] == [
        (3, "kind", "csat", "A CSAT score is 1 to 5; an NPS score is 0 to 10.")
    ]
    assert not SurveyResponse.objects.exists()


def test_a_people_file_re_imported_moves_a_rep_from_its_effective_date(db, write_csv):
    def people(text: str, start: str):
        path = write_csv("Full Name,manager,role\n" + text)
        mapping = path.with_name("reps.json")
        columns = {"full_name": "Full Name", "manager": "manager", "role": "role"}
        kind = {"kind": "reps", "columns": columns, "effective_from": start}
        mapping.write_text(json.dumps(kind))
        return run_import(path, mapping=str(mapping))[1]

    first = people("Mia Boss,,manager\nBo Chief,,manager\nAnn Lee,Mia Boss,rep\n", "2026-01-01")
    moved = people("Ann Lee,Bo Chief,rep\n", "2026-06-01")
    assert (first.created, moved.updated, moved.error_count) == (3, 1, 0)
    lines = ReportingLine.objects.filter(person__username="ann.lee")
    assert [(line.manager.username, line.start, line.end) for line in lines] == [
        ("mia.boss", None, date(2026, 6, 1)),
        ("bo.chief", date(2026, 6, 1), None),
    ]
