"""factory_boy factories for the metrics tests: the shared ones, and the rows only KPIs need."""

from datetime import date
from decimal import Decimal

import factory

from pipeline.models import Activity, Subscription, SurveyResponse
from quotas.models import Quota
from tests import factories
from tests.factories import (
    AccountFactory,
    ProductFactory,
    StageFactory,
    TeamFactory,
    TerritoryFactory,
    UserFactory,
)

__all__ = [
    "AccountFactory", "ActivityFactory", "DealFactory", "ProductFactory", "QuotaFactory",
    "StageFactory", "SubscriptionFactory", "SurveyFactory", "TeamFactory", "TerritoryFactory",
    "UserFactory",
]  # fmt: skip


class DealFactory(factories.DealFactory):
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
