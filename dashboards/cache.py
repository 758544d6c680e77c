"""A dashboard computed once is kept for a short while, per viewer and per filters.

The key holds the viewer, their role, the people they may see (so a new manager or role is a
new key at the next request), the query string, today and the data version
(`rollups.version`), which every committed write to the data moves on: a save, a delete, a
queryset update, an import, an admin or API edit. So nobody reads numbers older than the data,
and gunicorn workers that each keep their own copies (no Redis) agree on what is current.
A viewer inside a transaction that has written, and not committed, is not served or kept.
PACER_DASHBOARD_CACHE_SECONDS (300 by default; 0 turns the cache off) bounds how long a page
that nobody changes is kept.
"""

import hashlib
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.cache import cache

import access
from org.models import User
from rollups import version

VERSION = 2


def cache_seconds() -> int:
    return int(getattr(settings, "PACER_DASHBOARD_CACHE_SECONDS", 300))


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
    if seconds <= 0 or version.pending():
        return build()
    raw = f"{VERSION}|{page}|{viewer_key(user)}|{query}|{today}|{version.current()}"
    key = "dashboard:" + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, seconds)
    return found
