"""Deal crediting: splits add up to 100 %, held by the database where it can."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from compensation.models import DealCredit
from compensation.services import deal_credit_set
from org.models import AuditEntry
from tests.compensation.conftest import won_deal

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def deal(stages, rep):
    return won_deal(stages, rep, "50000", date(2026, 1, 9))


def test_a_split_must_add_up_to_100(deal, rep, other_rep):
    with pytest.raises(ValidationError, match="add up to 90.00 %"):
        deal_credit_set(deal=deal, shares={rep: D("60.00"), other_rep: D("30.00")})

    deal_credit_set(deal=deal, shares={rep: D(60), other_rep: D(40)})

    assert sorted(deal.credits.values_list("rep__username", "percent")) == [
        ("other_rep", D("40.00")),
        ("rep", D("60.00")),
    ]


def test_setting_a_split_again_replaces_it_and_an_empty_one_credits_the_owner(deal, rep, other_rep):
    deal_credit_set(deal=deal, shares={rep: D(60), other_rep: D(40)})
    deal_credit_set(deal=deal, shares={other_rep: D(100)})
    assert list(deal.credits.values_list("rep__username", "percent")) == [("other_rep", D(100))]

    deal_credit_set(deal=deal, shares={})

    assert not deal.credits.exists()


def test_a_share_must_be_positive(deal, rep, other_rep):
    with pytest.raises(ValidationError, match="more than 0"):
        deal_credit_set(deal=deal, shares={rep: D(100), other_rep: D(0)})


@pytest.mark.parametrize("percent", [D(0), D(-5), D(101)])
def test_the_database_refuses_a_share_out_of_range(deal, rep, percent):
    with pytest.raises(IntegrityError), transaction.atomic():
        DealCredit.objects.create(deal=deal, rep=rep, percent=percent)


def test_the_database_refuses_two_shares_for_one_rep(deal, rep):
    DealCredit.objects.create(deal=deal, rep=rep, percent=D(50))
    with pytest.raises(IntegrityError), transaction.atomic():
        DealCredit.objects.create(deal=deal, rep=rep, percent=D(50))


def test_split_changes_are_audited(deal, rep, other_rep):
    deal_credit_set(deal=deal, shares={rep: D(60), other_rep: D(40)})
    deal_credit_set(deal=deal, shares={})

    entries = AuditEntry.objects.filter(model="compensation.DealCredit")
    assert sorted(entries.values_list("action", flat=True)) == ["created"] * 2 + ["deleted"] * 2
