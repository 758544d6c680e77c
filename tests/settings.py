"""Test settings: the real settings with a fast password hasher.

Tasks run eagerly even when REDIS_URL is set; the worker test turns that off for itself.
"""

import os

from spm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A real worker (tests/worker.py) sends the tasks its tasks start to the broker, as in production.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("PACER_TEST_WORKER")
SECURE_SSL_REDIRECT = False
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A worker test's recovering worker looks for messages a killed worker took every second, not
# every 100 s (kombu's default): it takes back those older than its visibility timeout.
if os.environ.get("PACER_TEST_RESTORE_EVERY_SECOND"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
