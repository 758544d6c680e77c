from datetime import date, datetime

import pytest
from django.utils import timezone

from org.models import Role
from pipeline.models import Stage
from tests.clock import TODAY, clock_pin
from tests.factories import TeamFactory, UserFactory


def pytest_configure(config) -> None:
    from django.conf import settings

    clock_pin(settings.TIME_ZONE)


def pytest_report_header(config) -> str:
    return f"pinned clock: {TODAY.isoformat()} (PACER_TEST_TODAY)"


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def now() -> datetime:
    """The pinned clock's current moment (it ticks on from noon of `TODAY`)."""
    return timezone.now()


@pytest.fixture
def stages(db) -> dict[str, Stage]:
    rows = [
        ("Prospecting", 1, 10, "open", "pipeline"),
        ("Proposal", 2, 40, "open", "best_case"),
        ("Negotiation", 3, 70, "open", "commit"),
        ("Won", 4, 100, "won", "closed"),
        ("Lost", 5, 0, "lost", "omitted"),
    ]
    return {
        name: Stage.objects.create(
            name=name, order=order, probability=p, kind=kind, forecast_category=cat
        )
        for name, order, p, kind, cat in rows
    }


@pytest.fixture
def executive(db):
    return UserFactory(username="exec", role=Role.EXECUTIVE, first_name="Erin", last_name="Exec")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ops", role=Role.ADMIN, first_name="Ada", last_name="Ops")


@pytest.fixture
def manager(executive):
    boss = UserFactory(
        username="manager",
        role=Role.MANAGER,
        first_name="Mia",
        last_name="Manager",
        manager=executive,
    )
    TeamFactory(name="Mia's team", manager=boss)
    return boss


@pytest.fixture
def other_manager(executive):
    boss = UserFactory(
        username="other_manager",
        role=Role.MANAGER,
        first_name="Otto",
        last_name="Other",
        manager=executive,
    )
    TeamFactory(name="Otto's team", manager=boss)
    return boss


@pytest.fixture
def rep(manager):
    return UserFactory(
        username="rep",
        first_name="Rita",
        last_name="Rep",
        manager=manager,
        team=manager.managed_teams.get(),
    )


@pytest.fixture
def other_rep(other_manager):
    return UserFactory(
        username="other_rep",
        first_name="Olga",
        last_name="Rep",
        manager=other_manager,
        team=other_manager.managed_teams.get(),
    )


def pytest_runtest_setup(item):
    """Service-backed tests run when their service is configured (always, in CI's second run)."""
    from django.conf import settings

    needs = {"postgres": settings.DATABASE_URL, "worker": settings.REDIS_URL}
    for marker, configured in needs.items():
        if marker in item.keywords and not configured:
            pytest.skip(f"needs {'DATABASE_URL' if marker == 'postgres' else 'REDIS_URL'}")


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks are sent (not run in-process) to a broker on a port nothing listens on, as when
    Redis is down: connecting is refused at once."""
    from spm.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app, "_pool", None)  # the connections made to the real broker
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
