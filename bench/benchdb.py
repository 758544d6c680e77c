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
