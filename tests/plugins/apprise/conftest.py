"""Stand-ins for Slack, Telegram, Twilio and Discord on 127.0.0.1.

apprise's plugins keep each service's API address in a class attribute;
the fixtures point those attributes at local stubs for one test, and
``loopback_only`` makes any connection beyond 127.0.0.1 fail, so no test
can reach a real service even if a patch is missed.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import socket

import pytest
from apprise.plugins.discord import NotifyDiscord
from apprise.plugins.slack import NotifySlack
from apprise.plugins.telegram import NotifyTelegram
from apprise.plugins.twilio import NotifyTwilio

from tests.plugins.stubs import Reply, Request, stub_server

TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "fedcba9876543210" * 2
MARKDOWN_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    original = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if not ipaddress.ip_address(host).is_loopback:
            raise OSError(f"tests may not connect to {host}")
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


def telegram_reply(request: Request) -> Reply:
    """Judge a sendMessage call as the Bot API does for MarkdownV2 text."""
    if not re.fullmatch(r"/bot\d+:[\w-]{30,}/sendMessage", request.path):
        return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
    payload = request.json()
    if payload.get("parse_mode") == "MarkdownV2":
        text = payload["text"]
        index = 0
        while index < len(text):
            if text[index] == "\\":
                index += 2
                continue
            if text[index] in MARKDOWN_V2_RESERVED:
                return Reply(
                    400,
                    {
                        "ok": False,
                        "error_code": 400,
                        "description": "Bad Request: can't parse entities: Character "
                        f"'{text[index]}' is reserved and must be escaped with the "
                        "preceding '\\'",
                    },
                )
            index += 1
    return Reply(200, {"ok": True, "result": {"message_id": 1}})


def slack_reply(request: Request) -> Reply:
    """Judge an incoming-webhook call: JSON whose text has &, <, > escaped."""
    if not re.fullmatch(r"/services/T\w+/B\w+/\w+", request.path):
        return Reply(404, "no_team")
    try:
        payload = request.json()
    except ValueError:
        return Reply(400, "invalid_payload")
    texts = [payload.get("text", "")]
    texts += [
        a.get("text", "") + a.get("title", "") for a in payload.get("attachments", [])
    ]
    for text in texts:
        if re.search(r"[<>]|&(?!amp;|lt;|gt;)", text):
            return Reply(400, "invalid_payload")
    return Reply(200, "ok")


def twilio_reply(request: Request) -> Reply:
    """Judge a Messages.json call: basic auth, form fields, 1600 characters."""
    if request.path != f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json":
        return Reply(404, {"code": 20404, "message": "not found"})
    expected = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    if request.headers.get("authorization") != f"Basic {expected}":
        return Reply(401, {"code": 20003, "message": "Authenticate"})
    form = request.form()
    if not all(form.get(field) for field in ("To", "From", "Body")):
        return Reply(400, {"code": 21604, "message": "A required parameter is missing"})
    if len(form["Body"]) > 1600:
        return Reply(
            400, {"code": 21617, "message": "The body exceeds 1600 characters"}
        )
    return Reply(201, {"sid": "SM" + "0" * 32, "status": "queued"})


def discord_reply(request: Request) -> Reply:
    if not re.fullmatch(r"/api/webhooks/\d+/[\w-]+", request.path):
        return Reply(404, {"message": "Unknown Webhook"})
    payload = request.json()
    if len(payload.get("content", "")) > 2000:
        return Reply(400, {"content": ["Must be 2000 or fewer in length."]})
    return Reply(204, "")


@pytest.fixture
def telegram_api(monkeypatch):
    with stub_server(telegram_reply) as server:
        monkeypatch.setattr(NotifyTelegram, "notify_url", f"{server.base_url}/bot")
        yield server


@pytest.fixture
def slack_api(monkeypatch):
    with stub_server(slack_reply) as server:
        monkeypatch.setattr(NotifySlack, "webhook_url", f"{server.base_url}/services")
        yield server


@pytest.fixture
def twilio_api(monkeypatch, settings):
    with stub_server(twilio_reply) as server:
        monkeypatch.setattr(
            NotifyTwilio,
            "notify_sms_url",
            f"{server.base_url}/2010-04-01/Accounts/{{sid}}/Messages.json",
        )
        settings.STATUSCORE_TWILIO_ACCOUNT_SID = TWILIO_SID
        settings.STATUSCORE_TWILIO_AUTH_TOKEN = TWILIO_TOKEN
        settings.STATUSCORE_TWILIO_FROM_NUMBER = "+15005550006"
        yield server


@pytest.fixture
def discord_api(monkeypatch):
    with stub_server(discord_reply) as server:
        monkeypatch.setattr(
            NotifyDiscord, "notify_url", f"{server.base_url}/api/webhooks"
        )
        yield server
