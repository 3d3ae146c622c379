"""The health check reports the database and the task queue, for real.

In the test settings huey runs tasks inline on in-memory storage, which
cannot fail. These tests swap in a huey built like the configured one but
with ``immediate`` off, so ``/healthz`` talks to its real storage: SQLite
or Redis, whichever the settings name.
"""

from __future__ import annotations

import socket

import pytest
from django.conf import settings
from django.utils.module_loading import import_string
from huey import RedisHuey

from statuscore import views


def configured_huey():
    """Build a huey like ``settings.HUEY`` describes, tasks not run inline."""
    options = dict(settings.HUEY)
    huey_class = import_string(options.pop("huey_class", "huey.RedisHuey"))
    options.pop("consumer", None)
    options["immediate"] = False
    return huey_class(**options)


def closed_port():
    """Return a port on 127.0.0.1 that had no listener a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def real_queue(monkeypatch):
    monkeypatch.setattr(views, "HUEY", configured_huey())


@pytest.fixture
def unreachable_queue(monkeypatch):
    huey = RedisHuey("healthz-test", url=f"redis://127.0.0.1:{closed_port()}/0")
    monkeypatch.setattr(views, "HUEY", huey)


@pytest.mark.django_db
def test_healthz_ok(client, real_queue):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}


@pytest.mark.django_db
def test_healthz_not_cached(client, real_queue):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_queue_unreachable(client, unreachable_queue):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["queue"] == "unreachable"
    assert response.json()["database"] == "ok"
