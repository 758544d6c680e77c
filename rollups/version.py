"""One number that changes after every committed write to the data a page can show.

Every statement Django sends goes through `_watch` (a database execute wrapper installed on
each new connection), so a model save, a delete, a queryset `update()`, a `bulk_create`, raw
SQL, the admin, the API, imports and migrations are all seen, with no list of write paths to
keep. A write to a counted table queues one bump for when its transaction commits: a reader
that sees the new version also sees the new rows, and a rolled-back write bumps nothing.
Sessions, login times, API tokens, login lockouts and the version itself do not count.
"""

import re
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import IntegrityError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE)\s+"?(\w+)"?', re.I)
LOGIN_ONLY = re.compile(r'^\s*UPDATE\s+"?org_user"?\s+SET\s+"?last_login"?\s*=\s*%s\s+WHERE', re.I)
PROJECT_APPS = {
    "org", "territories", "pipeline", "quotas", "rollups", "metrics", "compensation",
    "forecasting", "planning", "imports",
}  # fmt: skip
IGNORED_MODELS = {"rollups.dataversion", "org.apitoken"}
_tables: set[str] | None = None
_migrating = False  # the version table may not exist yet: one bump when migrate ends


def counted_tables() -> set[str]:
    """The tables whose rows some page, export or API answer can show."""
    global _tables
    if _tables is None:
        _tables = {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in PROJECT_APPS
            and model._meta.label_lower not in IGNORED_MODELS
        }
    return _tables


def is_counted_write(sql: str) -> bool:
    found = WRITE.match(sql)
    return bool(found and found[1] in counted_tables() and not LOGIN_ONLY.match(sql))


def _watch(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
    result = execute(sql, params, many, context)
    if not _migrating and isinstance(sql, str) and is_counted_write(sql):
        _queue_bump(context["connection"])
    return result


def _queue_bump(connection: BaseDatabaseWrapper) -> None:
    """One bump per transaction (a savepoint rolled back takes its queued bump with it)."""
    if not _is_queued(connection):
        transaction.on_commit(_bump_callback(connection), using=connection.alias)


def _is_queued(connection: BaseDatabaseWrapper) -> bool:
    callback = _bump_callback(connection)
    return connection.in_atomic_block and any(
        entry[1] is callback for entry in connection.run_on_commit
    )


_callbacks: dict[str, Callable[[], None]] = {}


def _bump_callback(connection: BaseDatabaseWrapper) -> Callable[[], None]:
    alias = connection.alias
    if alias not in _callbacks:
        _callbacks[alias] = lambda: bump(using=alias)
    return _callbacks[alias]


def watch_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Install the write watcher on a new database connection (once)."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def migrate_started(**kwargs: Any) -> None:
    global _migrating
    _migrating = True


def migrate_ended(*, using: str = "default", **kwargs: Any) -> None:
    global _migrating
    if _migrating:
        _migrating = False
        bump(using=using)


def bump(*, using: str = "default") -> None:
    """Move the data version on by one (the row is created at the first bump)."""
    DataVersion = apps.get_model("rollups", "DataVersion")
    rows = DataVersion.objects.using(using)
    if rows.filter(pk=1).update(number=F("number") + 1):
        return
    try:
        with transaction.atomic(using=using):
            rows.create(pk=1, number=1)
    except IntegrityError:  # created meanwhile by another writer
        rows.filter(pk=1).update(number=F("number") + 1)


def current(*, using: str = "default") -> int:
    """The data version now (0 before the first write)."""
    DataVersion = apps.get_model("rollups", "DataVersion")
    found = DataVersion.objects.using(using).filter(pk=1).values_list("number", flat=True)
    return next(iter(found), 0)


def pending(*, using: str = "default") -> bool:
    """True inside a transaction that has written counted rows it has not committed yet."""
    return _is_queued(connections[using])
