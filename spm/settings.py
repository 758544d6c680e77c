"""Pacer settings, read from the environment.

With nothing set, Pacer runs embedded: a SQLite file, Celery tasks eagerly in-process and a
local-memory cache. DATABASE_URL (PostgreSQL) and REDIS_URL (Celery broker, results and cache)
switch it to production services, where DEBUG is off and SECRET_KEY is required.
"""

from decimal import Decimal
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from core.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("PACER_VAR_DIR", str(BASE_DIR / "var")))

DATABASE_URL = envstr("DATABASE_URL")
REDIS_URL = envstr("REDIS_URL")
EMBEDDED = not DATABASE_URL

DEBUG = envbool("DEBUG", EMBEDDED)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "embedded-mode-only-key-never-used-in-production-0123456789abcdef"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "spm.apps.PacerAdminConfig",
    "spm.apps.PacerConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # whitenoise serves static files under runserver too
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "org",
    "territories",
    "pipeline",
    "rollups",
    "metrics",
    "quotas",
    "compensation",
    "forecasting",
    "planning",
    "scoring",
    "imports",
    "dashboards",
    "pages",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "spm.sessions.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "org.audit.AuditActorMiddleware",
    "access.RequestScopeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "spm.urls"
WSGI_APPLICATION = "spm.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "access.backends.RoleBackend"]

# A session ends after this long without a request, and this long after sign-in however busy.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = envint("SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600

# Lock an account out after repeated failed sign-ins from any address, and an address after
# failures on any accounts (access/lockout.py). Failures count until the lockout's hours have
# passed since the last one; a success does not wipe them, or one good account would reset an
# address that is guessing others'.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "access.lockout.AccountOrAddressHandler"
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES: dict[str, Any]
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "pacer.sqlite3",
            # Python's sqlite3 keeps the last 128 prepared statements by default; an import's
            # `IN (...)` lookups of a thousand names are ~100 KB each, so that cache filled up
            # to ~15 MB during a long import. 16 bounds it at a few MB, at no measured cost.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL;",
                "timeout": 20,
                "cached_statements": 16,
            },
        }
    }
    # SQLite cannot enforce the snapshot's one-row-per-owner-and-stage rule when the owner is
    # empty; the snapshot service replaces a day's rows as a whole, so no duplicate can arise.
    # Nor has it covering indexes: those deal indexes are plain ones here.
    SILENCED_SYSTEM_CHECKS = ["models.W047", "models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    # Redis down is not an outage: a cache read misses and a write is skipped (logged once a
    # minute, see core/logs.py), so pages and the API are slower, not broken.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "spm.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "spm.staticstorage.StaticStorage"},
}

# Uploads (the CSV import page): a file over FILE_UPLOAD_MAX_MEMORY_SIZE streams to a temporary
# file in FILE_UPLOAD_TEMP_DIR (the system's by default), 64 KB at a time, and is then copied
# to VAR_DIR/imports the same way, so a 50 MB file is never held in memory. Neither setting
# caps a file's size; DATA_UPLOAD_MAX_MEMORY_SIZE counts the other form fields only.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB, Django's default
FILE_UPLOAD_TEMP_DIR = envstr("FILE_UPLOAD_TEMP_DIR") or None
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Celery: eager and in-process without Redis, so a newcomer needs nothing else running.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# A task's message is acknowledged when the task ends, not when it starts, so a worker that dies
# mid-task (killed, out of memory, its machine lost) leaves the task to run again rather than
# dropping it. Every task is safe to run twice: each replaces or completes its earlier attempt
# in one transaction (a forecast run per as-of date, statements per period, an import per run).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis hands a message nobody acknowledged to another worker after the visibility timeout.
# It must exceed the longest a task may run (CELERY_TASK_TIME_LIMIT) and the longest countdown
# of a retry, or a task still running (or waiting to retry) runs a second time alongside; the
# lower it is, the sooner a task lost with its worker runs again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
}
CELERY_TIMEZONE = TIME_ZONE
# The nightly forecast sends its scopes to the workers in chunks of this many, one task each.
FORECAST_CHUNK_SCOPES = envint("FORECAST_CHUNK_SCOPES", 250)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat schedules live in the database, each created by its app's migration (spm/schedules.py),
# so admins edit or pause them in the admin site.

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.defaults.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.defaults.Pagination",
    "EXCEPTION_HANDLER": "api.defaults.handle_exception",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": envstr("API_RATE_ANON", "60/min"),
        "user": envstr("API_RATE_USER", "1200/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pacer API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "StageKindEnum": "pipeline.models.StageKind",
        "ActivityKindEnum": "pipeline.models.ActivityKind",
        "SurveyKindEnum": "pipeline.models.SurveyKind",
        "TerritoryKindEnum": "territories.models.TerritoryKind",
        "QuotaMetricEnum": "quotas.models.QuotaMetric",
        "QuotaPeriodEnum": "quotas.models.PeriodKind",
        "PayPeriodEnum": "compensation.models.plans.PayPeriod",
        "StatementStatusEnum": "compensation.models.statements.StatementStatus",
        "DisputeStatusEnum": "compensation.models.statements.DisputeStatus",
    },
}

# Sales calendar and money.
FISCAL_YEAR_START_MONTH = envint("FISCAL_YEAR_START_MONTH", 1)
if not 1 <= FISCAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured("FISCAL_YEAR_START_MONTH must be between 1 and 12")
DEFAULT_CURRENCY = envstr("DEFAULT_CURRENCY", "USD")

# Metrics and dashboards.
PACER_GROSS_MARGIN = Decimal(envstr("PACER_GROSS_MARGIN", "0.70"))  # CLV = ARPA x this / churn
if not 0 < PACER_GROSS_MARGIN <= 1:
    raise ImproperlyConfigured("PACER_GROSS_MARGIN is a fraction: more than 0, at most 1")
PACER_DASHBOARD_CACHE_SECONDS = envint("PACER_DASHBOARD_CACHE_SECONDS", 300)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Scripts only from Pacer's own static files, never inline. plotly.js writes <style> elements
# as it draws, hence inline styles; its modebar and image export use data: and blob: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"once_a_minute": {"()": "core.logs.OnceAMinute"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django_redis.cache": {"filters": ["once_a_minute"]},
    },
}
