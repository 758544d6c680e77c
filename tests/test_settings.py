"""The environment switches Pacer between embedded and production settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import envbool, envint

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DATABASE_URL": "postgres://pacer:secret@db.internal:5432/pacer",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SECRET_KEY": "k3y-" + "x7Q9pL2mZ8vR4tW6yB1nC5dF0gH3jK" * 2,
    "ALLOWED_HOSTS": "pacer.example.com",
}
SHOW = (
    "from django.conf import settings as s; import json; print(json.dumps({"
    "'engine': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
    "'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG, 'broker': s.CELERY_BROKER_URL}))"
)


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "PACER_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_nothing_set_means_sqlite_eager_tasks_locmem_and_debug(tmp_path):
    result = run(["shell", "-c", SHOW], {}, tmp_path)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "debug": True,
        "broker": "memory://",
    }


def test_database_and_redis_urls_switch_to_production_services(tmp_path):
    result = run(["shell", "-c", SHOW], PRODUCTION, tmp_path)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "engine": "django.db.backends.postgresql",
        "eager": False,
        "cache": "django_redis.cache.RedisCache",
        "debug": False,
        "broker": "redis://cache.internal:6379/0",
    }


def test_production_without_secret_key_refuses_to_start(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    result = run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_visibility_timeout_is_an_hour_unless_set(tmp_path):
    show = "from django.conf import settings as s; print(s.CELERY_BROKER_TRANSPORT_OPTIONS)"
    default = run(["shell", "-c", show], PRODUCTION, tmp_path)
    shorter = run(
        ["shell", "-c", show], {**PRODUCTION, "CELERY_VISIBILITY_TIMEOUT": "2400"}, tmp_path
    )
    assert default.stdout.strip().splitlines()[-1] == "{'visibility_timeout': 3600}"
    assert shorter.stdout.strip().splitlines()[-1] == "{'visibility_timeout': 2400}"


def test_a_visibility_timeout_within_the_task_time_limit_is_flagged(tmp_path):
    env = {**PRODUCTION, "CELERY_VISIBILITY_TIMEOUT": "600"}
    result = run(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode != 0
    assert (
        "pacer.W001) CELERY_VISIBILITY_TIMEOUT (600 s) is not above CELERY_TASK_TIME_LIMIT "
        "(1800 s): a long task would run twice at once." in result.stderr
    )


def test_env_readers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("PACER_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="PACER_FLAG='maybe' is not a boolean"):
        envbool("PACER_FLAG", False)
    monkeypatch.setenv("PACER_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="PACER_NUMBER='ten' is not a whole number"):
        envint("PACER_NUMBER", 1)
    monkeypatch.setenv("PACER_FLAG", "Yes")
    assert envbool("PACER_FLAG", False) is True


def test_a_gross_margin_outside_0_to_1_is_refused_at_start(tmp_path):
    result = run(["check"], {"PACER_GROSS_MARGIN": "70"}, tmp_path)
    assert result.returncode != 0
    assert "PACER_GROSS_MARGIN is a fraction" in result.stderr
