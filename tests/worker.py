"""A real Celery worker for the worker tests: on the test database, the Redis broker, its own
queue, and the suite's pinned clock."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_start() -> tuple[subprocess.Popen, str]:
    """Start a worker on a queue of its own; return the process and the queue's name."""
    db = connection.settings_dict
    queue = f"pacer-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    command = [sys.executable, "-m", "tests.clock", "celery", "-A", "spm", "worker"]
    command += ["--pool", "solo", "-Q", queue, "--loglevel", "WARNING"]
    command += ["--without-heartbeat", "--without-gossip"]
    return subprocess.Popen(command, cwd=ROOT, env=env), queue
