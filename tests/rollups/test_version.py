"""The data version moves on once per committed transaction that wrote counted data, and only
then. A deal write is two: the write, then the refill of the rollup days it touched (so a page
cached between the two is not kept)."""

from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction

from org.models import ApiToken
from pipeline.models import Deal
from rollups import version
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_committed_write_moves_the_version_on_once_and_its_refill_once(rep, stages):
    before = version.current()
    with transaction.atomic():
        deal = DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal("10"))
        Deal.objects.filter(pk=deal.pk).update(amount=Decimal("20"))
        assert version.current() == before  # not before the commit
        assert version.pending()
    assert version.current() == before + 2
    assert not version.pending()


def test_each_autocommitted_write_moves_it_on(rep, stages):
    deal = DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal("10"))
    before = version.current()
    Deal.objects.filter(pk=deal.pk).update(amount=Decimal("20"))
    Deal.objects.filter(pk=deal.pk).delete()
    # The update writes the deal and its history in one transaction; the delete its own; each
    # is followed by the refill of its rollup days.
    assert version.current() == before + 4


def test_a_rolled_back_write_leaves_it(rep, stages):
    before = version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        DealFactory(owner=rep, stage=stages["Proposal"])
        raise RuntimeError
    assert version.current() == before


def test_a_write_after_a_rolled_back_savepoint_still_counts(rep, stages):
    before = version.current()
    with transaction.atomic():
        try:
            with transaction.atomic():
                DealFactory(owner=rep, stage=stages["Proposal"])
                raise RuntimeError
        except RuntimeError:
            pass
        DealFactory(owner=rep, stage=stages["Negotiation"])
    assert version.current() == before + 2


def test_raw_sql_is_seen(rep, stages):
    deal = DealFactory(owner=rep, stage=stages["Proposal"], amount=Decimal("10"))
    before = version.current()
    table = connection.ops.quote_name(Deal._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET amount = 11 WHERE id = %s", [deal.pk])
    assert version.current() == before + 1


def test_sessions_logins_and_tokens_do_not_count(client, rep):
    before = version.current()
    session = SessionStore()
    session["seen"] = True
    session.save()
    client.force_login(rep)
    ApiToken.objects.create(user=rep, name="laptop", prefix="abc", key_hash="x" * 64)
    assert version.current() == before
