from celery import shared_task

from rollups.stats import rollups_check as _check


@shared_task
def rollups_check() -> dict[str, int]:
    """Nightly: compare every rollup with the raw rows and refill the days that differ."""
    return _check()
