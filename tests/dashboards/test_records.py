"""The deal and account pages: the record, its history and credit, within the viewer's scope."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.records import account_record, deal_record, mrr_by_month, survey_scores
from org.models import AuditEntry
from pipeline.models import Activity, Subscription, SurveyResponse
from planning.services.segments import segment_apply
from tests.factories import AccountFactory, DealFactory, TerritoryFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def account(rep):
    return AccountFactory(name="Acme", owner=rep, employees=120, country="Norway")


@pytest.fixture
def deal(rep, manager, stages, account):
    deal = DealFactory.build(
        name="Acme renewal",
        owner=rep,
        account=account,
        stage=stages["Prospecting"],
        amount=Decimal("1000.00"),
        created_on=date(2026, 9, 1),
    )
    deal.save(changed_by=rep, changed_at=at(date(2026, 9, 1)))
    deal.stage = stages["Proposal"]
    deal.amount = Decimal("1500.00")
    deal.save(changed_by=manager, changed_at=at(date(2026, 10, 5)))
    deal.stage = stages["Won"]
    deal.closed_on = date(2026, 11, 20)
    deal.save(changed_by=rep, changed_at=at(date(2026, 11, 20)))
    return deal


def test_deal_history_says_each_change_from_what_to_what_and_who(rep, deal):
    record = deal_record(rep, deal.pk, TODAY)
    steps = [(step.who, step.what) for step in record.history]
    assert steps[0][1] == ["Created in Prospecting at 1,000.00 USD"]
    assert steps[1] == (
        "Mia Manager",
        [
            "Stage: Prospecting → Proposal",
            "Amount: 1,000.00 USD → 1,500.00 USD",
            "Forecast category: Pipeline → Best case",
        ],
    )
    assert steps[2][0] == "Rita Rep"
    assert "Stage: Proposal → Won" in steps[2][1]
    assert "Closed on: — → 2026-11-20" in steps[2][1]
    assert record.history[1].when == "2026-10-05 09:00"


def test_a_closed_deal_shows_the_credit_in_force_when_it_closed(rep, manager, other_manager, deal):
    rep.manager = other_manager
    rep.team = other_manager.managed_teams.get()
    rep.save()
    credit = {fact.label: fact.text for fact in deal_record(rep, deal.pk, TODAY).credit}
    assert credit["Owner"] == "Rita Rep"
    assert credit["Manager"] == "Mia Manager"
    assert credit["Team"] == "Mia's team"


def test_an_open_deal_has_no_credit_yet_and_a_payout_line_for_its_owner(rep, stages, account):
    deal = DealFactory(owner=rep, account=account, stage=stages["Negotiation"], created_on=TODAY)
    record = deal_record(rep, deal.pk, TODAY)
    assert record.credit == []
    assert record.payout is not None
    assert record.payout.note == f"Rita Rep has no compensation plan on {TODAY.isoformat()}."


def test_the_deal_page_is_a_404_outside_the_scope(client, rep, other_rep, manager, deal):
    url = reverse("deal", args=[deal.pk])
    client.force_login(other_rep)
    assert client.get(url).status_code == 404
    client.force_login(manager)
    page = client.get(url)
    assert page.status_code == 200
    assert "Stage: Prospecting → Proposal" in page.content.decode()
    assert 'href="/accounts/' in page.content.decode()


def test_the_account_page_is_a_404_outside_the_scope(client, rep, other_rep, account, deal):
    url = reverse("account", args=[account.pk])
    client.force_login(other_rep)
    assert client.get(url).status_code == 404
    client.force_login(rep)
    page = client.get(url).content.decode()
    assert f'href="{reverse("deal", args=[deal.pk])}"' in page
    assert "No subscriptions: this account pays nothing recurring." in page


def test_mrr_by_month_is_the_mrr_on_each_first_of_the_month(account):
    Subscription.objects.create(
        account=account, mrr=Decimal("100.00"), start=date(2026, 8, 15), end=date(2026, 10, 1)
    )
    Subscription.objects.create(account=account, mrr=Decimal("40.50"), start=date(2026, 9, 1))
    months = mrr_by_month(account, TODAY)
    assert months == [
        (date(2026, 8, 1), Decimal(0)),
        (date(2026, 9, 1), Decimal("140.50")),
        (date(2026, 10, 1), Decimal("40.50")),  # the first subscription ended that day
        (date(2026, 11, 1), Decimal("40.50")),
        (date(2026, 12, 1), Decimal("40.50")),
    ]


def test_survey_scores_follow_the_kpi_definitions(account):
    for score in (5, 4, 2):
        SurveyResponse.objects.create(account=account, kind="csat", score=score, responded_on=TODAY)
    for score in (10, 9, 8, 3):
        SurveyResponse.objects.create(account=account, kind="nps", score=score, responded_on=TODAY)
    scores = {fact.label: fact.text for fact in survey_scores(account)}
    assert scores == {"CSAT": "66.7 (3 answers)", "NPS": "+25.0 (4 answers)"}


def test_an_account_without_answers_has_no_scores(account):
    assert [fact.text for fact in survey_scores(account)] == ["—", "—"]


def test_segment_changes_are_audited_and_listed(rep, account):
    segment_apply(accounts=type(account).objects.filter(pk=account.pk))
    account.refresh_from_db()
    assert account.segment == "mid_market"
    entry = AuditEntry.objects.get(
        model="pipeline.Account", object_id=str(account.pk), action="updated"
    )
    assert entry.changes == {"segment": ["", "mid_market"]}
    rows = account_record(rep, account.pk, TODAY).segments.rows
    assert [[cell.text for cell in row][1:] for row in rows] == [["—", "Mid-market", "system"]]


def test_the_account_lists_its_territory_history_and_activities(rep, account, deal):
    from pipeline.accounts import account_assign

    north = TerritoryFactory(name="North")
    account_assign(account=account, territory=north, owner=rep, on=date(2026, 6, 1))
    Activity.objects.create(
        rep=rep,
        kind="call",
        occurred_at=at(date(2026, 11, 3)),
        account=account,
        deal=deal,
        outcome="Booked a demo",
    )
    record = account_record(rep, account.pk, TODAY)
    assert [cell.text for cell in record.assignments.rows[0]][:4] == [
        "2026-06-01",
        "now",
        "North",
        "Rita Rep",
    ]
    activity = record.activities.rows[0]
    assert [cell.text for cell in activity] == [
        "2026-11-03 09:00",
        "Call",
        "Rita Rep",
        "Acme renewal",
        "Booked a demo",
    ]
    assert activity[3].url == reverse("deal", args=[deal.pk])


def test_drilled_deal_rows_link_to_their_deal_and_account(client, rep, deal, account):
    client.force_login(rep)
    url = reverse("dashboards:drill-deals") + "?measure=won&period=month&on=2026-11-01"
    page = client.get(url).content.decode()
    assert f'<a href="{reverse("deal", args=[deal.pk])}">Acme renewal</a>' in page
    assert f'<a href="{reverse("account", args=[account.pk])}">Acme</a>' in page
