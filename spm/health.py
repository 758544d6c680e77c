"""What `/health/` checks: the database, the cache and the Celery broker, each on its own."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from spm.celery import app

Check = Callable[[], None]  # raises when its service cannot be used


def database_check() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def cache_check() -> None:
    """The cache forgives a Redis that is down (pages run without it), so ask Redis itself."""
    client = getattr(cache, "client", None)
    if client is not None:
        client.get_client().ping()


def broker_check() -> None:
    """Without REDIS_URL tasks run in-process: there is no broker to reach."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Check] = {"database": database_check, "cache": cache_check,
                            "broker": broker_check}  # fmt: skip


def health_report() -> dict[str, str]:
    """{service: "ok" or what went wrong}, for every check."""
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # whatever stops a service, it is down
            report[name] = f"down: {type(error).__name__}: {error}".strip()[:200]
        else:
            report[name] = "ok"
    return report
