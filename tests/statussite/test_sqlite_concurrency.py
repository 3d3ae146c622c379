"""The SQLite default copes with several writers at once.

The monitor, the worker and editors write at the same time. A transaction
that reads and then writes must wait for the write lock, not fail with
"database is locked".
"""

import threading
import time

import pytest
from django.db import connections, transaction
from django.db.utils import OperationalError
from statussite import env

ALIAS = "sqlite_concurrency"
WRITERS = 6


def test_sqlite_options_take_the_write_lock_at_begin(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")

    options = env.database_from_env("DATABASE_URL", "sqlite:///x")["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA synchronous=NORMAL" in options["init_command"]


def test_postgres_gets_no_sqlite_options(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal:6543/status")

    config = env.database_from_env("DATABASE_URL", "sqlite:///x")

    assert "transaction_mode" not in config.get("OPTIONS", {})


@pytest.fixture
def file_database(monkeypatch, tmp_path, django_db_blocker):
    """A file-based SQLite database configured as the default one would be."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    config = env.database_from_env("DATABASE_URL", "sqlite:///x")
    configured = connections.configure_settings({"default": config, ALIAS: config})
    connections.settings[ALIAS] = configured[ALIAS]

    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE counter (value INTEGER NOT NULL)")
            cursor.execute("INSERT INTO counter (value) VALUES (0)")
        connections[ALIAS].close()
        yield ALIAS
        connections[ALIAS].close()

    del connections.settings[ALIAS]


def add_one(alias: str, errors: list[Exception], start: threading.Barrier) -> None:
    """Read the counter, pause so other writers overlap, then write it back."""
    start.wait()
    try:
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT value FROM counter")
                (value,) = cursor.fetchone()
                time.sleep(0.05)
                cursor.execute("UPDATE counter SET value = %s", [value + 1])
    except OperationalError as error:
        errors.append(error)
    finally:
        connections[alias].close()


def test_concurrent_read_then_write_transactions_all_succeed(file_database):
    errors: list[Exception] = []
    start = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=add_one, args=(file_database, errors, start))
        for _ in range(WRITERS)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with connections[file_database].cursor() as cursor:
        cursor.execute("SELECT value FROM counter")
        (value,) = cursor.fetchone()
    assert errors == []
    assert value == WRITERS
