"""A database of the bench's own on the DATABASE_URL server, so runs never touch real data."""

from urllib.parse import urlsplit, urlunsplit


def postgres_database(url: str, name: str, *, fresh: bool) -> str:
    """The URL of database `name` on `url`'s server, created if missing (dropped first if
    `fresh`)."""
    import psycopg

    # CREATE and DROP DATABASE cannot run in a transaction.
    connection = psycopg.connect(url, autocommit=True)
    with connection.cursor() as cursor:
        if fresh:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def each_in_a_fresh_process(script: str, values, bench_db: str) -> list[dict]:
    """Run `script --one VALUE` for each value, each in a process of its own with a fresh
    var/ folder and (on PostgreSQL) a fresh database; what each wrote to figures.json there."""
    import json
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    url = os.environ.get("DATABASE_URL", "")
    print(f"Database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}")
    found = []
    for value in values:
        # DEBUG off: Django's debug query log would otherwise hold the last 9,000 queries.
        env = {**os.environ, "PACER_VAR_DIR": tempfile.mkdtemp(), "DEBUG": "0"}
        env.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
        if url.startswith("postgres"):
            env["DATABASE_URL"] = postgres_database(url, bench_db, fresh=True)
        subprocess.run([sys.executable, script, "--one", str(value)], env=env, check=True)
        found.append(json.loads((Path(env["PACER_VAR_DIR"]) / "figures.json").read_text()))
    return found
