"""The webhook notifier against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import time

import pydantic
import pytest

from statuscore.exceptions import NotificationFailed
from statuscore.notifiers import Message

from plugins.webhook.notifier import WebhookConfig, WebhookNotifier
from tests.plugins.stubs import Reply, Request, stub_server

SECRET = "receiver-shared-secret-0123"


def signature_is_valid(request: Request, secret: str = SECRET) -> bool:
    """Verify a request the way docs/notifications.md tells receivers to."""
    timestamp = request.headers["x-statuspage-timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    received = request.headers["x-statuspage-signature"].removeprefix("sha256=")
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(expected, received)


def checking_receiver(request: Request) -> Reply:
    if not signature_is_valid(request):
        return Reply(401, {"error": "bad signature"})
    return Reply(200, {"ok": True})


def make_message(**fields) -> Message:
    values = {
        "event_kind": "incident.created",
        "subject": "[Acme] New incident: api-v2.prod_eu (main)!",
        "text": "See https://svc_1.example.test/a-b",
        "url": "https://svc_1.example.test/a-b",
        "key": "41:incident.created:sub-7",
        "payload": {"event": {"id": 41}, "page": {"name": "Acme"}},
    }
    values.update(fields)
    return Message(**values)


def config_for(server, secret: str | None = SECRET) -> WebhookConfig:
    return WebhookConfig(url=f"{server.base_url}/hooks/status", secret=secret)


def test_webhook_posts_signed_json():
    with stub_server(checking_receiver) as server:
        WebhookNotifier().send(config_for(server), make_message())

    [request] = server.requests
    assert request.path == "/hooks/status"
    assert request.headers["content-type"] == "application/json"
    assert signature_is_valid(request)
    assert request.headers["idempotency-key"] == "41:incident.created:sub-7"
    assert request.json()["subject"] == "[Acme] New incident: api-v2.prod_eu (main)!"
    assert request.json()["url"] == "https://svc_1.example.test/a-b"
    assert request.json()["event"] == {"id": 41}


def test_wrong_secret_fails_verification():
    with stub_server(checking_receiver) as server:
        config = config_for(server, secret="another-secret-of-length")
        with pytest.raises(NotificationFailed) as raised:
            WebhookNotifier().send(config, make_message())

    assert raised.value.permanent
    assert "401" in raised.value.reason


def test_webhook_without_secret_is_unsigned():
    with stub_server(lambda request: Reply(204, "")) as server:
        WebhookNotifier().send(config_for(server, secret=None), make_message())

    [request] = server.requests
    assert "x-statuspage-signature" not in request.headers


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (400, True),
        (404, True),
        (410, True),
        (302, True),
        (408, False),
        (429, False),
        (500, False),
        (503, False),
    ],
)
def test_reply_status_decides_permanence(status, permanent):
    with stub_server(lambda request: Reply(status, {})) as server:
        with pytest.raises(NotificationFailed) as raised:
            WebhookNotifier().send(config_for(server), make_message())

    assert raised.value.permanent is permanent
    assert len(server.requests) == 1


def test_timeout_is_temporary(monkeypatch):
    import httpx

    from plugins.webhook import notifier

    monkeypatch.setattr(notifier, "TIMEOUT", httpx.Timeout(0.2))

    def slow(request):
        time.sleep(1)
        return Reply(200, {})

    with stub_server(slow) as server:
        with pytest.raises(NotificationFailed) as raised:
            WebhookNotifier().send(config_for(server), make_message())

    assert not raised.value.permanent


def test_verify_sends_a_signed_challenge():
    with stub_server(checking_receiver) as server:
        WebhookNotifier().verify(config_for(server))

    [request] = server.requests
    assert request.json()["type"] == "webhook.verification"
    assert request.json()["challenge"]
    assert signature_is_valid(request)


def test_verify_fails_when_target_refuses():
    with stub_server(lambda request: Reply(403, {})) as server:
        with pytest.raises(NotificationFailed):
            WebhookNotifier().verify(config_for(server))


def test_private_target_rejected_when_not_allowed(settings):
    settings.STATUSCORE_ALLOW_PRIVATE_TARGETS = False

    with stub_server(checking_receiver) as server:
        config = WebhookConfig.model_construct(
            url=pydantic.AnyHttpUrl(f"http://localhost:{server.server_address[1]}/"),
            secret=None,
        )
        settings.STATUSCORE_HOST_OVERRIDES = {"localhost": ["127.0.0.1"]}
        with pytest.raises(NotificationFailed) as raised:
            WebhookNotifier().send(config, make_message())

    assert raised.value.permanent
    assert "STATUSCORE_ALLOW_PRIVATE_TARGETS" in raised.value.reason
    assert server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://100.100.100.200/",
        "ftp://example.test/",
        "not a url",
    ],
)
def test_unsafe_or_invalid_url_is_rejected(url):
    with pytest.raises(pydantic.ValidationError) as raised:
        WebhookConfig(url=url)

    assert raised.value.errors()[0]["loc"] == ("url",)


def test_short_secret_is_rejected():
    with pytest.raises(pydantic.ValidationError) as raised:
        WebhookConfig(url="https://hooks.example.test/x", secret="short")

    assert raised.value.errors()[0]["loc"] == ("secret",)


def test_describe_hides_path_and_secret():
    config = WebhookConfig(url="https://u:p@hooks.example.test/T0KEN", secret=SECRET)

    described = WebhookNotifier().describe(config)

    assert described == "https://hooks.example.test/…"
    assert SECRET not in repr(config)
