"""System checks on settings that are each valid alone but wrong together."""

from django.conf import settings
from django.core.checks import Warning


def visibility_timeout_check(app_configs, **kwargs) -> list[Warning]:
    """A task can outlive a visibility timeout no longer than its time limit: Redis then hands
    its message to a second worker while the first still runs it."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    if timeout > settings.CELERY_TASK_TIME_LIMIT:
        return []
    message = (
        f"CELERY_VISIBILITY_TIMEOUT ({timeout} s) is not above CELERY_TASK_TIME_LIMIT "
        f"({settings.CELERY_TASK_TIME_LIMIT} s): a long task would run twice at once."
    )
    hint = "Set CELERY_VISIBILITY_TIMEOUT above the time limit (the default is 3600 s)."
    return [Warning(message, hint=hint, id="pacer.W001")]
