"""A real Celery worker for the worker tests: on the test database, the Redis broker, its own
queue, and the suite's pinned clock."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_start(
    queue: str | None = None, *, pool: str = "solo", env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """Start a worker on `queue` (a new queue of its own by default); return the process and the
    queue's name. The worker leads a process group of its own (its pool children with it), so a
    test can kill the whole of it as a lost machine would go."""
    db = connection.settings_dict
    queue = queue or f"pacer-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PACER_TEST_WORKER": "1",
        **(env or {}),
    }
    command = [sys.executable, "-m", "tests.clock", "celery", "-A", "spm", "worker"]
    command += ["--pool", pool, "-Q", queue, "--loglevel", "WARNING"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    if pool == "prefork":
        command += ["--concurrency", "1"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True), queue
