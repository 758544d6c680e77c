"""Deal history is complete whichever way a deal is written."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pipeline.models import Deal, DealChange
from pipeline.selectors import deal_states_as_of
from tests.factories import DealFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def history(deal: Deal) -> list[tuple[str, str, Decimal | None]]:
    rows = DealChange.objects.filter(deal=deal).order_by("id")
    return [(row.changed_fields, row.stage.name, row.amount) for row in rows]


def test_save_records_creation_and_each_tracked_change(stages, rep):
    deal = DealFactory(stage=stages["Prospecting"], owner=rep, amount=Decimal("500"))
    deal.stage = stages["Proposal"]
    deal.amount = Decimal("650")
    deal.save()
    deal.name = "Renamed"  # not a tracked field: no history row
    deal.save()
    assert history(deal) == [
        ("created", "Prospecting", Decimal("500.00")),
        ("stage,amount,forecast_category", "Proposal", Decimal("650.00")),
    ]


def test_save_keeps_who_and_when(stages, rep, manager):
    deal = DealFactory(stage=stages["Prospecting"], owner=rep)
    deal.owner = manager
    deal.expected_close_on = date(2026, 6, 30)
    deal.save(changed_by=manager, changed_at=T1)
    change = deal.changes.latest("id")
    assert (change.changed_fields, change.changed_by, change.changed_at) == (
        "expected_close_on,owner",
        manager,
        T1,
    )
    assert change.owner == manager


def test_closing_a_deal_sets_status_and_category(stages):
    deal = DealFactory(stage=stages["Negotiation"])
    assert (deal.status, deal.forecast_category) == ("open", "commit")
    deal.stage, deal.closed_on = stages["Won"], date(2026, 3, 2)
    deal.save()
    assert (deal.status, deal.forecast_category) == ("won", "closed")
    row = deal.changes.latest("id")
    assert row.changed_fields == "stage,forecast_category,closed_on"
    assert (row.status, row.closed_on) == ("won", date(2026, 3, 2))


def test_queryset_update_records_every_affected_deal(stages, rep):
    deals = [DealFactory(stage=stages["Prospecting"], owner=rep) for _ in range(3)]
    count = Deal.objects.filter(owner=rep).update(stage=stages["Proposal"], changed_at=T1)
    assert count == 3
    for deal in deals:
        assert history(deal)[-1] == ("stage,forecast_category", "Proposal", Decimal("1000.00"))
    assert set(Deal.objects.values_list("status", "forecast_category")) == {("open", "best_case")}


def test_update_of_untracked_field_records_nothing(stages):
    deal = DealFactory(stage=stages["Prospecting"])
    Deal.objects.filter(pk=deal.pk).update(name="Quiet rename")
    assert len(history(deal)) == 1


def test_bulk_create_and_bulk_update_record_history(stages, rep):
    deals = Deal.objects.bulk_create(
        [
            Deal(
                name=f"D{i}",
                stage=stages["Prospecting"],
                created_on=date(2026, 3, 1),
                amount=Decimal(100 * i),
                owner=rep,
            )
            for i in range(1, 4)
        ],
        changed_at=lambda deal: T0,
    )
    for deal in deals:
        deal.stage, deal.closed_on = stages["Lost"], date(2026, 3, 9)
    Deal.objects.bulk_update(deals, ["stage", "closed_on"], changed_at=T1)
    assert Deal.objects.filter(status="lost", forecast_category="omitted").count() == 3
    assert history(deals[1]) == [
        ("created", "Prospecting", Decimal("200.00")),
        ("stage,forecast_category,closed_on", "Lost", Decimal("200.00")),
    ]
    assert list(
        DealChange.objects.values_list("changed_at", flat=True).distinct().order_by("changed_at")
    ) == [T0, T1]


def test_admin_edit_records_who_changed_it(client, stages):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, role="admin")
    deal = DealFactory(stage=stages["Prospecting"], amount=Decimal("100"))
    client.force_login(admin)
    form = {
        "name": deal.name,
        "stage": stages["Proposal"].pk,
        "amount": "250.00",
        "currency": "USD",
        "type": "new_business",
        "created_on": "2026-01-05",
        "forecast_category": "best_case",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "1",
        "changes-MIN_NUM_FORMS": "0",
        "changes-MAX_NUM_FORMS": "0",
    }
    response = client.post(f"/admin/pipeline/deal/{deal.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = deal.changes.latest("id")
    assert (change.changed_fields, change.changed_by, change.amount) == (
        "stage,amount,forecast_category",
        admin,
        Decimal("250.00"),
    )


def test_history_is_append_only(stages):
    row = DealFactory(stage=stages["Prospecting"]).changes.get()
    with pytest.raises(TypeError, match="append-only"):
        row.save()
    with pytest.raises(TypeError, match="append-only"):
        row.delete()


def test_pipeline_as_of_a_past_moment(stages):
    deal = Deal.objects.bulk_create(
        [
            Deal(
                name="Moves",
                stage=stages["Prospecting"],
                created_on=date(2026, 3, 1),
                amount=Decimal("900"),
            )
        ],
        changed_at=T0,
    )[0]
    deal.stage, deal.amount = stages["Negotiation"], Decimal("1200")
    deal.save(changed_at=T1)
    before = datetime(2026, 2, 28, tzinfo=UTC)
    between = datetime(2026, 3, 5, tzinfo=UTC)
    assert deal_states_as_of(before).count() == 0
    then = deal_states_as_of(between).get()
    assert (then.stage.name, then.amount) == ("Prospecting", Decimal("900.00"))
    now = deal_states_as_of(datetime(2026, 4, 1, tzinfo=UTC)).get()
    assert (now.stage.name, now.amount) == ("Negotiation", Decimal("1200.00"))
