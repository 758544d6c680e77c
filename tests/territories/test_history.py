"""Account history and crediting at close: past reports do not move with today's changes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from core.periods import Period
from metrics.scope import Scope
from metrics.service import kpi_panel
from pipeline.accounts import account_assign
from pipeline.models import AccountAssignment, Deal
from territories.models import Territory
from tests.factories import AccountFactory, DealFactory
from tests.territories.conftest import LAST_YEAR, TODAY

pytestmark = pytest.mark.django_db

YEAR = Period(LAST_YEAR, date(LAST_YEAR.year + 1, 1, 1))


def revenue_by_territory(period: Period = YEAR) -> dict:
    panel = kpi_panel(Scope.everything(), period, "territory", today=TODAY)
    return {group.key: group.values["revenue"] for group in panel.groups}


@pytest.fixture
def book(stages, rep, other_rep, north, south):
    """Acme in North, owned by Rita: 700 won and 300 lost last year, 500 open (placed in North)."""
    acme = AccountFactory(name="Acme", territory=north, owner=rep)
    closed = {"created_on": LAST_YEAR, "closed_on": date(LAST_YEAR.year, 6, 1)}
    DealFactory(account=acme, owner=rep, stage=stages["Won"], amount=Decimal(700), **closed)
    DealFactory(account=acme, owner=rep, stage=stages["Lost"], amount=Decimal(300), **closed)
    DealFactory(
        account=acme,
        owner=rep,
        stage=stages["Proposal"],
        amount=Decimal(500),
        territory=north,
        created_on=LAST_YEAR,
    )
    return acme


def test_a_closed_deal_is_credited_to_the_territory_and_owner_at_close(book, rep, north):
    won = Deal.objects.get(status="won")
    assert (won.closed_territory, won.closed_owner) == (north, rep)
    assert Deal.objects.get(status="open").closed_territory is None


def test_last_years_report_is_unchanged_after_a_reassignment_today(book, other_rep, south):
    before = revenue_by_territory()
    assert before == {"North": Decimal(700), "South": 0}
    account_assign(account=book, territory=south, owner=other_rep, on=TODAY)
    for deal in Deal.objects.all():  # any later write works the credit out again
        deal.save()
    assert revenue_by_territory() == before
    now = kpi_panel(Scope.everything(), YEAR, "territory", today=TODAY)
    pipeline = {group.key: group.values["pipeline_amount"] for group in now.groups}
    assert pipeline == {"North": 0, "South": 500}  # open deals follow the account
    assert Deal.objects.get(status="open").territory == south


def test_narrowing_to_a_territory_follows_the_same_rule(book, other_rep, north, south):
    account_assign(account=book, territory=south, owner=other_rep, on=TODAY)
    north_only = Scope.everything().narrow(territory=north)
    assert sorted(north_only.deals.values_list("status", flat=True)) == ["lost", "won"]
    south_only = Scope.everything().narrow(territory=south).deals
    assert list(south_only.values_list("amount", flat=True)) == [500]
    assert kpi_panel(north_only, YEAR, today=TODAY).total["revenue"] == 700


def test_the_history_keeps_each_assignment_with_its_dates(book, rep, other_rep, north, south):
    account_assign(account=book, territory=south, owner=other_rep, on=TODAY)
    rows = list(AccountAssignment.objects.values_list("territory", "owner", "start", "end"))
    assert rows == [(north.pk, rep.pk, LAST_YEAR, TODAY), (south.pk, other_rep.pk, TODAY, None)]
    book.refresh_from_db()
    assert (book.territory, book.owner) == (south, other_rep)


def test_a_second_change_the_same_day_replaces_the_first(book, rep, other_rep, north, south):
    account_assign(account=book, territory=south, owner=other_rep, on=TODAY)
    account_assign(account=book, territory=north, owner=other_rep, on=TODAY)
    rows = list(AccountAssignment.objects.values_list("territory", "start", "end"))
    assert rows == [(north.pk, LAST_YEAR, TODAY), (north.pk, TODAY, None)]


def test_no_change_writes_no_history(book, rep, north):
    assert account_assign(account=book, territory=north, owner=rep, on=TODAY) is False
    assert not AccountAssignment.objects.exists()


def test_a_closed_territory_future_or_backdated_change_is_refused(book, rep, other_rep, south):
    south.closed_on = TODAY
    south.save()
    with pytest.raises(ValidationError, match="closed"):
        account_assign(account=book, territory=south, owner=rep, on=TODAY)
    with pytest.raises(ValidationError, match="today or in the past"):
        account_assign(account=book, territory=None, owner=rep, on=TODAY + timedelta(days=1))
    account_assign(account=book, territory=None, owner=other_rep, on=TODAY)
    with pytest.raises(ValidationError, match="began on"):
        account_assign(account=book, territory=None, owner=rep, on=TODAY - timedelta(days=1))
    assert AccountAssignment.objects.count() == 2


def test_every_write_path_stamps_the_credit(book, stages, rep, north, south):
    day = date(LAST_YEAR.year, 7, 1)
    deal = DealFactory(account=book, owner=rep, stage=stages["Proposal"], created_on=LAST_YEAR)
    Deal.objects.filter(pk=deal.pk).update(stage=stages["Won"], closed_on=day)
    assert Deal.objects.get(pk=deal.pk).closed_territory == north
    deal.refresh_from_db()
    deal.stage, deal.closed_on = stages["Proposal"], None
    Deal.objects.bulk_update([deal], ["stage", "closed_on"])
    assert Deal.objects.get(pk=deal.pk).closed_territory is None
    [made] = Deal.objects.bulk_create(
        [Deal(name="Bulk", account=book, owner=rep, stage=stages["Won"], amount=1,
              created_on=day, closed_on=day, territory=south)]
    )  # fmt: skip
    assert Deal.objects.get(pk=made.pk).closed_territory == south  # its own before the account's


def test_a_deal_closed_before_a_change_keeps_the_old_territory_when_saved_later(
    book, stages, rep, other_rep, south, north
):
    account_assign(account=book, territory=south, owner=other_rep, on=TODAY)
    late = DealFactory(
        account=book, owner=rep, stage=stages["Won"], created_on=LAST_YEAR,
        closed_on=date(LAST_YEAR.year, 9, 1),
    )  # fmt: skip
    assert late.closed_territory_id == north.pk  # backdated close: history on the close date


def test_the_account_api_keeps_the_history_too(book, admin_user, south):
    client = APIClient()
    client.force_authenticate(admin_user)
    url = f"/api/v1/accounts/{book.pk}/"
    assert client.patch(url, {"name": "Acme Corp"}, format="json").status_code == 200
    assert not AccountAssignment.objects.exists()
    response = client.patch(url, {"territory": south.pk}, format="json")
    assert (response.status_code, response.json()["territory"]) == (200, south.pk)
    today = TODAY
    rows = AccountAssignment.objects.values_list("territory", "start", "end", "source")
    assert list(rows) == [
        (book.territory_id, LAST_YEAR, today, "initial"),
        (south.pk, today, None, "api"),
    ]
    assert Deal.objects.get(status="open").territory == south


def test_the_admin_keeps_the_history_and_refuses_a_closed_territory(
    client, book, admin_user, north, south
):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    url = f"/admin/pipeline/account/{book.pk}/change/"
    form = {"name": "Acme", "segment": book.segment, "owner": book.owner_id}
    closed = Territory.objects.create(name="Gone", kind="territory", closed_on=LAST_YEAR)
    refused = client.post(url, {**form, "territory": closed.pk})
    assert refused.status_code == 200 and "is closed from" in refused.content.decode()
    assert not AccountAssignment.objects.exists()
    assert client.post(url, {**form, "territory": south.pk}).status_code == 302
    rows = AccountAssignment.objects.order_by("start", "pk").values_list("territory", "source")
    assert list(rows) == [(north.pk, "initial"), (south.pk, "admin")]
