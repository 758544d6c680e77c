"""docker-compose.yml only runs commands that exist in this project."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
SETTINGS_SOURCE = (ROOT / "spm" / "settings.py").read_text()


def import_path(dotted: str):
    module, _, attr = dotted.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module), attr)


def test_the_stack_has_every_service_with_health_checks():
    assert set(SERVICES) == {"web", "worker", "beat", "postgres", "redis"}
    for name in ("web", "worker", "postgres", "redis"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]


def test_web_and_worker_share_the_folder_uploads_are_read_from():
    for name in ("web", "worker"):
        var_dir = SERVICES[name]["environment"]["PACER_VAR_DIR"]
        assert f"pacervar:{var_dir}" in SERVICES[name]["volumes"], name


def test_web_runs_migrations_and_gunicorn_on_the_wsgi_app():
    command = SERVICES["web"]["command"]
    assert "manage.py migrate" in command
    assert "migrate" in get_commands()
    target = re.search(r"gunicorn (\S+)", command).group(1)
    assert callable(import_path(target))


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_services_point_at_the_project_app(service):
    words = shlex.split(SERVICES[service]["command"])
    assert words[:3] == ["celery", "-A", "spm"]
    assert import_path("spm.celery_app").main == "spm"
    if "--scheduler" in words:
        import_path(words[words.index("--scheduler") + 1])


def test_health_check_url_exists():
    probe = SERVICES["web"]["healthcheck"]["test"][-1]
    url = re.search(r"http://[^/]+(/[^']*)", probe).group(1)
    assert resolve(url).url_name == "health"


def test_every_environment_variable_is_read_by_the_settings():
    env = SERVICES["web"]["environment"]
    for name in env:
        assert f'"{name}"' in SETTINGS_SOURCE, f"{name} is set in compose but never read"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://")
