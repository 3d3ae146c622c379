"""Settings come from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from statussite import env

ROOT = Path(__file__).resolve().parents[2]


def run_manage(
    *args: str, cwd: Path = ROOT, **variables: str
) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "ENV_FILE")
    }
    environment.update(variables)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@127.0.0.1/status",
        "not a url",
        "postgres://postgres@127.0.0.1:notaport/status",
        "postgres://postgres@127.0.0.1:5432/",
    ],
)
def test_bad_database_url_stops_startup(url, tmp_path):
    done = run_manage(
        "check", DATABASE_URL=url, DEBUG="1", STATUS_VAR_DIR=str(tmp_path)
    )

    assert done.returncode != 0
    assert "Configuration error: The environment variable DATABASE_URL is invalid" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_secret_key_in_production(tmp_path):
    done = run_manage("check", DEBUG="0", SECRET_KEY="", STATUS_VAR_DIR=str(tmp_path))

    assert done.returncode != 0
    assert "SECRET_KEY is missing" in done.stderr


def test_good_environment_starts(tmp_path):
    done = run_manage(
        "check",
        DEBUG="0",
        SECRET_KEY="x" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATUS_VAR_DIR=str(tmp_path),
    )

    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_bad_redis_url_names_variable(tmp_path):
    done = run_manage(
        "check", DEBUG="1", REDIS_URL="http://127.0.0.1:6379", STATUS_VAR_DIR=str(tmp_path)
    )

    assert done.returncode != 0
    assert "REDIS_URL is invalid" in done.stderr


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), ("Yes", True)])
def test_env_bool_parses(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)

    assert env.env_bool("SOME_FLAG", default=not expected) is expected


def test_env_bool_rejects_other_words(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG='maybe' is invalid"):
        env.env_bool("SOME_FLAG", default=False)


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "smtp")

    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT='smtp' is invalid"):
        env.env_int("EMAIL_PORT", 587)


def test_env_int_rejects_below_minimum(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "0")

    with pytest.raises(ImproperlyConfigured, match="expected at least 1"):
        env.env_int("EMAIL_PORT", 587, minimum=1)


def test_env_list_splits_and_strips(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.test, ,b.test ")

    assert env.env_list("ALLOWED_HOSTS", []) == ["a.test", "b.test"]


def test_database_url_postgres_parsed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal:6543/status")

    config = env.database_from_env("DATABASE_URL", "sqlite:///x")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["PORT"] == 6543
    assert config["NAME"] == "status"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE='Mars/Olympus' is invalid"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL='LOUD' is invalid"),
        ("EMAIL_PORT", "70000", "EMAIL_PORT=70000 is invalid"),
        ("DEBUG", "maybe", "DEBUG='maybe' is invalid"),
    ],
)
def test_bad_variable_one_line(variable, value, message, tmp_path):
    variables = {"DEBUG": "1", "STATUS_VAR_DIR": str(tmp_path), variable: value}

    done = run_manage("check", **variables)

    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_env_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=mysql://root@127.0.0.1/status\n")

    done = run_manage("check", cwd=tmp_path, DEBUG="1", STATUS_VAR_DIR=str(tmp_path))

    assert done.returncode != 0
    assert "DATABASE_URL is invalid" in done.stderr


def test_environment_wins_over_env_file(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=mysql://root@127.0.0.1/status\n")

    done = run_manage(
        "check",
        cwd=tmp_path,
        DEBUG="1",
        STATUS_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert done.returncode == 0, done.stderr


def test_missing_env_file_named(tmp_path):
    done = run_manage(
        "check", DEBUG="1", STATUS_VAR_DIR=str(tmp_path), ENV_FILE=str(tmp_path / "nope")
    )

    assert done.returncode != 0
    assert "ENV_FILE is invalid" in done.stderr


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_bad_port_stops_serve(port, tmp_path):
    done = run_manage("serve", DEBUG="1", STATUS_VAR_DIR=str(tmp_path), PORT=port)

    assert done.returncode != 0
    assert "Configuration error: The environment variable PORT" in done.stderr


def test_bad_encryption_key_names_variable(tmp_path):
    done = run_manage(
        "check",
        DEBUG="1",
        STATUSCORE_ENCRYPTION_KEYS="not-a-fernet-key",
        STATUS_VAR_DIR=str(tmp_path),
    )

    assert done.returncode != 0
    assert "STATUSCORE_ENCRYPTION_KEYS is invalid: item 1" in done.stderr
