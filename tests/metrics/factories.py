"""factory_boy factories for the metrics tests (kept apart from tests/factories.py)."""

from datetime import date
from decimal import Decimal

import factory

from pipeline.models import (
    Account,
    Activity,
    Deal,
    Product,
    Stage,
    Subscription,
    SurveyResponse,
)
from quotas.models import Quota
from territories.models import Role, Team, Territory, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"metrics_user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    role = Role.REP


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Metrics team {n}")


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Metrics territory {n}")
    kind = "territory"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Metrics account {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Metrics product {n}")
    list_price = Decimal("1000.00")


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage
        django_get_or_create = ("name",)

    name = "Prospecting"
    order = 1
    probability = 10


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    name = factory.Sequence(lambda n: f"Metrics deal {n}")
    stage = factory.SubFactory(StageFactory)
    amount = Decimal("1000.00")
    created_on = date(2017, 1, 2)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    account = factory.SubFactory(AccountFactory)
    mrr = Decimal("100.00")
    start = date(2017, 1, 1)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    account = factory.SubFactory(AccountFactory)
    kind = "csat"
    score = 5
    responded_on = date(2017, 1, 10)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    rep = factory.SubFactory(UserFactory)
    kind = "call"


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    period = "month"
    start = date(2017, 1, 1)
    metric = "bookings"
    amount = Decimal("10000.00")
