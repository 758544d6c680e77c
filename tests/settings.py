"""Test settings: the real settings with a fast password hasher.

Tasks run eagerly even when REDIS_URL is set; the worker test turns that off for itself.
"""

from spm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
SECURE_SSL_REDIRECT = False
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
