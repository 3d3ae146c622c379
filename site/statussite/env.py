"""Read settings from the environment, failing loudly on bad values.

Every helper raises ``ImproperlyConfigured`` with the variable's name and
what was expected, so a typo stops start-up with a message an operator can
act on instead of a stack trace from deep inside a driver.
"""

from __future__ import annotations

import logging
import os
import zoneinfo
from urllib.parse import urlsplit

import dj_database_url
import dotenv
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
REDIS_SCHEMES = {"redis", "rediss", "unix"}


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable's value, or ``default``; raise if both are missing."""
    value = os.environ.get(name)
    if value is not None and value.strip() != "":
        return value.strip()
    if default is None:
        raise ImproperlyConfigured(f"The environment variable {name} is missing.")
    return default


def env_bool(name: str, default: bool) -> bool:
    """Parse ``1/0``, ``true/false``, ``yes/no`` or ``on/off``."""
    raw = os.environ.get(name)
    if raw is None:
        return default

    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name}={raw!r} is invalid: "
        "expected one of 1, 0, true, false, yes, no, on, off."
    )


def env_int(
    name: str, default: int, minimum: int = 0, maximum: int | None = None
) -> int:
    """Parse a whole number from ``minimum`` to ``maximum``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default

    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name}={raw!r} is invalid: expected a whole number."
        ) from None
    if value < minimum or (maximum is not None and value > maximum):
        expected = (
            f"from {minimum} to {maximum}"
            if maximum is not None
            else f"at least {minimum}"
        )
        raise ImproperlyConfigured(
            f"The environment variable {name}={value} is invalid: expected {expected}."
        )
    return value


def env_float(name: str, default: float, minimum: float = 0.0) -> float:
    """Parse a decimal number no smaller than ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default

    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name}={raw!r} is invalid: expected a number."
        ) from None
    if not value >= minimum:
        raise ImproperlyConfigured(
            f"The environment variable {name}={raw!r} is invalid: "
            f"expected at least {minimum:g}."
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Split a comma-separated variable into stripped, non-empty items."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# SQLite serves the monitor, the worker and editors at once. Write-ahead
# logging lets readers run beside the one writer. Transactions take the
# write lock when they begin (IMMEDIATE), so a transaction that reads and
# then writes waits up to ``timeout`` seconds for the lock instead of
# failing at once with "database is locked" when another writer got there
# first.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_from_env(name: str, default: str) -> dict:
    """Parse a database URL into Django's ``DATABASES['default']`` form.

    Only SQLite and PostgreSQL are supported. A URL with another scheme, no
    database name or an invalid port raises ``ImproperlyConfigured`` naming
    the variable.
    """
    url = env_str(name, default)
    scheme = urlsplit(url).scheme.lower()
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"The environment variable {name} is invalid: scheme {scheme or '(none)'!r} "
            "is not supported. Use postgres://USER:PASSWORD@HOST:PORT/NAME or "
            "sqlite:////absolute/path/db.sqlite3."
        )

    try:
        urlsplit(url).port
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} is invalid: the port is not a number "
            "from 1 to 65535."
        ) from None

    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"The environment variable {name} is invalid: {error}"
        ) from None

    if not config.get("NAME"):
        raise ImproperlyConfigured(
            f"The environment variable {name} is invalid: it names no database."
        )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = SQLITE_OPTIONS.copy()
    return config


def redis_url_from_env(name: str) -> str | None:
    """Return the Redis URL, or ``None`` when the variable is unset or empty."""
    url = os.environ.get(name, "").strip()
    if not url:
        return None

    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES:
        raise ImproperlyConfigured(
            f"The environment variable {name} is invalid: scheme {parts.scheme or '(none)'!r} "
            "is not supported. Use redis://HOST:PORT/DB, rediss:// or unix://."
        )
    try:
        parts.port
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} is invalid: the port is not a number "
            "from 1 to 65535."
        ) from None
    return url


def env_time_zone(name: str, default: str) -> str:
    """Return an IANA time zone name such as ``Europe/Berlin``."""
    value = env_str(name, default)
    if value not in zoneinfo.available_timezones():
        raise ImproperlyConfigured(
            f"The environment variable {name}={value!r} is invalid: expected an IANA "
            "time zone name such as UTC or Europe/Berlin."
        )
    return value


def env_log_level(name: str, default: str) -> str:
    """Return a standard logging level name, upper-cased."""
    value = env_str(name, default).upper()
    if value not in logging.getLevelNamesMapping():
        raise ImproperlyConfigured(
            f"The environment variable {name}={value!r} is invalid: expected one of "
            "DEBUG, INFO, WARNING, ERROR, CRITICAL."
        )
    return value


def load_env_file() -> str | None:
    """Load variables from the file ``ENV_FILE`` names, or ``.env`` in the
    current folder, and return its path; ``None`` when there is none.

    Variables already set in the environment win over the file, so a
    service manager or a one-off ``VAR=value make run`` still decides.
    """
    path = os.environ.get("ENV_FILE") or os.path.join(os.getcwd(), ".env")
    if not os.path.isfile(path):
        if os.environ.get("ENV_FILE"):
            raise ImproperlyConfigured(
                f"The environment variable ENV_FILE is invalid: {path!r} is not a file."
            )
        return None
    dotenv.load_dotenv(path, override=False)
    return path
