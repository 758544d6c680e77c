"""A dashboard computed once is kept for a short while, per viewer and per filters.

The key holds the viewer, their role, the people they may see (so a new manager or role is a
new key at the next request), the query string, today and a data stamp: the newest id of every
table a dashboard counts. A write to a deal (its history row), an activity, a subscription, a
survey answer, a quota or an audited change gives a new stamp, so nobody reads numbers older
than the data; deletions are caught by the time limit (PACER_DASHBOARD_CACHE_SECONDS, 300 by
default; 0 turns the cache off).
"""

import hashlib
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import connection

import access
from compensation.models import PlanAssignment, StatementLine
from org.models import AuditEntry, User
from pipeline.models import Activity, DealChange, Subscription, SurveyResponse
from quotas.models import Quota

STAMPED = [
    DealChange,
    Activity,
    Subscription,
    SurveyResponse,
    Quota,
    AuditEntry,
    PlanAssignment,
    StatementLine,
]
VERSION = 1


def cache_seconds() -> int:
    return int(getattr(settings, "PACER_DASHBOARD_CACHE_SECONDS", 300))


def data_stamp() -> str:
    """The newest id of every counted table, in one query."""
    parts = ", ".join(
        f"(SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)})"
        for model in STAMPED
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        return ":".join(str(value) for value in cursor.fetchone())


def viewer_key(user: User) -> str:
    people = access.visible_people(user)
    ids = (
        "all"
        if user.role in access.SEES_ALL
        else ",".join(str(pk) for pk in sorted(people.values_list("pk", flat=True)))
    )
    return f"{user.pk}:{user.role}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}"


def cached(page: str, user: User, query: str, today: date, build: Callable):
    """build() or the copy kept for this viewer, page, query, day and data."""
    seconds = cache_seconds()
    if seconds <= 0:
        return build()
    raw = f"{VERSION}|{page}|{viewer_key(user)}|{query}|{today}|{data_stamp()}"
    key = "dashboard:" + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, seconds)
    return found
