"""A service that is down: /health/ names it with a 503; Redis down leaves pages and the API up."""

import logging
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from core.logs import OnceAMinute

pytestmark = pytest.mark.django_db

# A port nothing listens on: connecting is refused at once.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
    }
}


def test_all_up_is_200(client):
    answer = client.get("/health/")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_database_down_is_503_naming_it(client):
    refused = OperationalError("connection to server at 127.0.0.1, port 5432 refused")
    with mock.patch.object(connection, "cursor", side_effect=refused):
        answer = client.get("/health/")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "down: database"
    assert body["checks"]["database"].startswith("down: OperationalError: connection to server")
    assert body["checks"]["cache"] == "ok"


@override_settings(CACHES=REDIS_DOWN)
def test_redis_down_pages_and_api_still_answer(client, rep, manager, executive, stages):
    for user, page in ((manager, "team"), (executive, "company"), (rep, "rep")):
        client.force_login(user)
        assert client.get(f"/dashboards/{page}/").status_code == 200, page
    kpis = client.get("/api/v1/kpis/", {"kpi": "revenue"})
    assert kpis.status_code == 200 and "revenue" in kpis.json()["total"]
    answer = client.get("/health/")
    assert answer.status_code == 503
    assert answer.json()["status"] == "down: cache"
    assert answer.json()["checks"]["cache"].startswith("down: ConnectionError")


def test_a_failure_is_logged_once_a_minute():
    once = OnceAMinute(seconds=60)
    record = logging.LogRecord("django_redis.cache", logging.ERROR, "", 0, "Exception ignored",
                               None, None)  # fmt: skip
    with mock.patch("core.logs.time.monotonic", side_effect=[100.0, 130.0, 161.0]):
        assert [once.filter(record) for _ in range(3)] == [True, False, True]
