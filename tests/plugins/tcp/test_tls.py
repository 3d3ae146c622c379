"""The TCP checker's TLS modes against local TLS, SMTP and XMPP servers."""

from __future__ import annotations

import asyncio
import ssl
from datetime import UTC, datetime

import httpx
import pytest
import trustme

from statuscore.checkers import Outcome
from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import validate_check_config
from tests.plugins.tcp.starttls_servers import (
    StartTlsServer,
    no_dialogue,
    smtp_dialogue,
    xmpp_dialogue,
)
from tests.plugins.tls.servers import (
    HOST,
    TlsServer,
    days_from_now,
    leaf_context,
    self_signed_context,
)

EXPIRED_ON = datetime(2024, 1, 1, tzinfo=UTC)


def run_tcp(config: dict, timeout: float = 3.0) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "tcp", config, timeout, client)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def valid_context(authority):
    leaf = authority.issue_cert("tls.test", not_after=days_from_now(90.5))
    return leaf_context(leaf)


@pytest.fixture(scope="module")
def expired_context(tmp_path_factory):
    directory = tmp_path_factory.mktemp("expired")
    return self_signed_context(directory, "tls.test", datetime(2023, 1, 1), EXPIRED_ON)


def tls_config(authority, server, tls="direct", **options) -> dict:
    return {
        "host": HOST,
        "port": server.port,
        "tls": tls,
        "server_name": "tls.test",
        "trusted_ca_pem": authority.cert_pem.bytes().decode(),
        **options,
    }


@pytest.mark.parametrize(
    ("tls", "dialogue"),
    [
        ("direct", None),
        ("starttls-smtp", smtp_dialogue()),
        ("starttls-xmpp", xmpp_dialogue()),
    ],
)
def test_valid_certificate_is_up(authority, valid_context, tls, dialogue):
    with StartTlsServer(valid_context, dialogue or no_dialogue) as server:
        outcome = run_tcp(tls_config(authority, server, tls))
        closes = server.wait_for_closes(1)

    assert outcome.status == "up", outcome.reason
    assert outcome.reason == ""
    assert outcome.details["tls"] == tls
    assert outcome.details["verified"] is True
    assert outcome.details["days_left"] == 90
    assert outcome.details["server_name"] == "tls.test"
    assert "warnings" not in outcome.details
    assert closes == ["close_notify"]


@pytest.mark.parametrize(
    ("tls", "dialogue"),
    [
        ("direct", None),
        ("starttls-smtp", smtp_dialogue()),
        ("starttls-xmpp", xmpp_dialogue()),
    ],
)
def test_expired_certificate_is_down(authority, expired_context, tls, dialogue):
    with StartTlsServer(expired_context, dialogue or no_dialogue) as server:
        outcome = run_tcp(tls_config(authority, server, tls))
        closes = server.wait_for_closes(2)

    assert outcome.status == "down"
    assert outcome.reason == "certificate expired on 2024-01-01"
    assert outcome.details["not_after"] == EXPIRED_ON.isoformat()
    assert outcome.details["days_left"] < 0
    assert outcome.details["verified"] is False
    assert sorted(closes) == ["close_notify", "handshake failed"]


def test_expired_unverified_follows_connection(authority, expired_context):
    with StartTlsServer(expired_context, smtp_dialogue()) as server:
        config = tls_config(authority, server, "starttls-smtp", verify_tls=False)
        outcome = run_tcp(config)
        closes = server.wait_for_closes(1)

    assert outcome.status == "up", outcome.reason
    assert outcome.reason == ""
    assert outcome.details["verified"] is False
    assert outcome.details["not_after"] == EXPIRED_ON.isoformat()
    assert outcome.details["days_left"] < 0
    assert outcome.details["warnings"] == [
        "certificate expired on 2024-01-01 (verification off)"
    ]
    assert closes == ["close_notify"]


def test_wrong_host_is_mismatch(authority):
    leaf = authority.issue_cert("other.test", not_after=days_from_now(90))
    with StartTlsServer(leaf_context(leaf)) as server:
        outcome = run_tcp(tls_config(authority, server))

    assert outcome.status == "down"
    assert outcome.reason == (
        "hostname mismatch: certificate is for other.test, not tls.test"
    )
    assert outcome.details["names"] == ["other.test"]


def test_unknown_authority_not_trusted(valid_context):
    with StartTlsServer(valid_context) as server:
        config = {
            "host": HOST,
            "port": server.port,
            "tls": "direct",
            "server_name": "tls.test",
        }
        outcome = run_tcp(config)

    assert outcome.status == "down"
    assert outcome.reason.startswith("certificate not trusted: ")
    assert outcome.details["days_left"] == 90


def test_direct_tls_banner_checked(authority, valid_context):
    with StartTlsServer(valid_context) as server:
        config = tls_config(authority, server, expect_banner="* OK")
        outcome = run_tcp(config, timeout=1.0)

    assert outcome.status == "down"
    assert outcome.reason == "no banner within 1 s"
    assert outcome.details["verified"] is True


def test_smtp_refused_starttls_is_down(authority, valid_context):
    dialogue = smtp_dialogue(b"454 4.7.0 TLS not available\r\n")
    with StartTlsServer(valid_context, dialogue) as server:
        outcome = run_tcp(tls_config(authority, server, "starttls-smtp"))
        closes = server.wait_for_closes(1)

    assert outcome.status == "down"
    assert outcome.reason == (
        "SMTP STARTTLS failed at STARTTLS: expected 220, "
        "got '454 4.7.0 TLS not available'"
    )
    assert closes == ["dialogue ended"]


def test_smtp_bad_greeting_is_down(authority, valid_context):
    def greet_busy(connection) -> bool:
        connection.sendall(b"554 5.3.2 busy\r\n")
        return False

    with StartTlsServer(valid_context, greet_busy) as server:
        outcome = run_tcp(tls_config(authority, server, "starttls-smtp"))

    assert outcome.status == "down"
    assert outcome.reason == (
        "SMTP STARTTLS failed at greeting: expected 220, got '554 5.3.2 busy'"
    )


def test_xmpp_failure_answer_is_down(authority, valid_context):
    dialogue = xmpp_dialogue(b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    with StartTlsServer(valid_context, dialogue) as server:
        outcome = run_tcp(tls_config(authority, server, "starttls-xmpp"))

    assert outcome.status == "down"
    assert outcome.reason == (
        "XMPP STARTTLS failed at starttls: server answered <failure/>"
    )


def test_plain_server_handshake_fails(authority):
    def answer_plain(connection) -> bool:
        connection.recv(4096)  # The ClientHello.
        connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        return False

    unused = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with StartTlsServer(unused, answer_plain) as server:
        outcome = run_tcp(tls_config(authority, server))

    assert outcome.status == "down"
    assert outcome.reason.startswith("TLS handshake failed: ")


@pytest.mark.parametrize(
    ("config", "fields"),
    [
        ({"host": HOST, "port": 25, "tls": "starttls-imap"}, ["config.tls"]),
        (
            {"host": HOST, "port": 25, "tls": "direct", "trusted_ca_pem": "x"},
            ["config.trusted_ca_pem"],
        ),
        (
            {"host": HOST, "port": 25, "tls": "direct", "server_name": ""},
            ["config.server_name"],
        ),
    ],
)
def test_invalid_tls_config_names_fields(config, fields):
    with pytest.raises(ValidationFailed) as caught:
        validate_check_config("tcp", config)

    assert sorted(caught.value.errors) == fields


def test_banner_with_starttls_rejected():
    config = {"host": HOST, "port": 25, "tls": "starttls-smtp", "expect_banner": "220"}

    with pytest.raises(ValidationFailed) as caught:
        validate_check_config("tcp", config)

    assert "expect_banner cannot be used with STARTTLS" in str(caught.value.errors)


def test_server_name_selects_certificate(authority):
    cert_a = authority.issue_cert("a.test", not_after=days_from_now(30))
    cert_b = authority.issue_cert("b.test", not_after=days_from_now(60.5))
    with TlsServer(leaf_context(cert_a), {"b.test": leaf_context(cert_b)}) as server:
        config = tls_config(authority, server, server_name="b.test")
        outcome = run_tcp(config)

    assert outcome.status == "up", outcome.reason
    assert outcome.details["names"] == ["b.test"]
    assert outcome.details["days_left"] == 60
    assert server.server_names == ["b.test"]
