"""WebSocket connections: the same host rule as HTTP, plus the origin."""

from __future__ import annotations

import asyncio

import pytest
from statussite.asgi_hosts import WebSocketHostValidator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.STATUSCORE_ALLOWED_HOSTS = ["main.example.test"]
    settings.TRUSTED_PROXIES = ["10.0.0.1"]


def connect(peer: str, *headers: tuple[bytes, bytes]) -> list[dict]:
    """Open a connection through the validator; return what it sent, or
    ``[{"type": "accepted"}]`` when it reached the application."""
    sent: list[dict] = []

    async def application(scope, receive, send):
        sent.append({"type": "accepted"})

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": "/ws/",
        "client": (peer, 40000),
        "server": ("127.0.0.1", 8000),
        "headers": list(headers),
    }
    asyncio.run(WebSocketHostValidator(application)(scope, receive, send))
    return sent


def test_websocket_on_main_host_reaches_application():
    sent = connect(
        "192.0.2.1",
        (b"host", b"main.example.test"),
        (b"origin", b"https://main.example.test"),
    )

    assert sent == [{"type": "accepted"}]


def test_websocket_on_unknown_host_is_closed():
    sent = connect("192.0.2.1", (b"host", b"evil.test"))

    assert sent[0]["type"] == "websocket.close"


def test_websocket_from_foreign_origin_is_closed():
    sent = connect(
        "192.0.2.1",
        (b"host", b"main.example.test"),
        (b"origin", b"https://evil.test"),
    )

    assert sent[0]["type"] == "websocket.close"


def test_websocket_on_page_domain_reaches_application(organization):
    from statuscore import services

    services.create_page(organization, "Pay", "pay", domain="status.example.test")

    sent = connect(
        "10.0.0.1",
        (b"host", b"127.0.0.1:8000"),
        (b"x-forwarded-host", b"status.example.test"),
        (b"origin", b"https://status.example.test"),
    )

    assert sent == [{"type": "accepted"}]


def test_websocket_forwarded_host_from_untrusted_peer_is_ignored(organization):
    from statuscore import services

    services.create_page(organization, "Pay", "pay", domain="status.example.test")

    sent = connect(
        "203.0.113.9",
        (b"host", b"127.0.0.1:8000"),
        (b"x-forwarded-host", b"status.example.test"),
    )

    assert sent[0]["type"] == "websocket.close"
