"""HTTPS checks of servers whose certificates fail verification.

The servers listen on 127.0.0.1 and are reached as ``tls.test`` or
``b.test`` through ``STATUSCORE_HOST_OVERRIDES``, so that name is sent in
SNI and verified. The certificates are made in the test.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
import trustme

from statuscore.checkers import Outcome
from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import validate_check_config
from tests.plugins.servers import https_server
from tests.plugins.tls.servers import (
    HOST,
    TlsServer,
    days_from_now,
    leaf_context,
    self_signed_context,
)

EXPIRED_ON = datetime(2024, 1, 1, tzinfo=UTC)
ISSUED_ON = datetime(2023, 1, 1, tzinfo=UTC)


def run_http(config: dict, timeout: float = 3.0) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "http", config, timeout, client)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(autouse=True)
def tls_test_host(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {"tls.test": [HOST], "b.test": [HOST]}


def trusting(authority: trustme.CA, url: str, **options) -> dict:
    trusted = authority.cert_pem.bytes().decode()
    return {"url": url, "trusted_ca_pem": trusted, **options}


def test_expired_self_signed_is_down(tmp_path):
    context = self_signed_context(tmp_path, "tls.test", ISSUED_ON, EXPIRED_ON)
    with TlsServer(context) as server:
        outcome = run_http({"url": f"https://tls.test:{server.port}/"})

    assert outcome.status == "down"
    assert outcome.reason == "certificate expired on 2024-01-01"
    assert outcome.details["not_after"] == "2024-01-01T00:00:00+00:00"
    assert outcome.details["days_left"] < 0
    assert outcome.details["verify_error"]


def test_second_handshake_sends_same_name(tmp_path):
    context = self_signed_context(tmp_path, "tls.test", ISSUED_ON, EXPIRED_ON)
    with TlsServer(context) as server:
        run_http({"url": f"https://tls.test:{server.port}/"})

    assert server.server_names == ["tls.test", "tls.test"]


def test_second_handshake_selects_by_sni(authority):
    valid = authority.issue_cert("a.test", not_after=days_from_now(90.5))
    expired = authority.issue_cert(
        "b.test", not_before=ISSUED_ON, not_after=EXPIRED_ON
    )
    by_name = {"b.test": leaf_context(expired)}
    with TlsServer(leaf_context(valid), by_name) as server:
        outcome = run_http(trusting(authority, f"https://b.test:{server.port}/"))

    assert outcome.status == "down"
    assert outcome.reason == "certificate expired on 2024-01-01"
    assert server.server_names == ["b.test", "b.test"]


def test_expired_trusted_certificate_is_down(authority):
    leaf = authority.issue_cert("tls.test", not_before=ISSUED_ON, not_after=EXPIRED_ON)
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_http(trusting(authority, f"https://tls.test:{server.port}/"))

    assert outcome.status == "down"
    assert outcome.reason == "certificate expired on 2024-01-01"
    assert outcome.details["days_left"] < 0


def test_wrong_hostname_is_mismatch(authority):
    leaf = authority.issue_cert("other.test", not_after=days_from_now(90.5))
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_http(trusting(authority, f"https://tls.test:{server.port}/"))

    assert outcome.status == "down"
    assert outcome.reason == (
        "hostname mismatch: certificate is for other.test, not tls.test"
    )
    assert outcome.details["days_left"] == 90


def test_unknown_authority_not_trusted(authority):
    leaf = authority.issue_cert("tls.test", not_after=days_from_now(90.5))
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_http({"url": f"https://tls.test:{server.port}/"})

    assert outcome.status == "down"
    assert outcome.reason.startswith("certificate not trusted: ")
    assert outcome.details["days_left"] == 90


def test_trusted_certificate_is_up(authority):
    leaf = authority.issue_cert("tls.test", not_after=days_from_now(60.5))
    with https_server(leaf_context(leaf)) as url:
        port = url.rsplit(":", 1)[1]
        outcome = run_http(trusting(authority, f"https://tls.test:{port}/ok"))

    assert outcome.status == "up"
    assert outcome.reason == ""
    assert outcome.details["days_left"] == 60
    assert "warnings" not in outcome.details


def test_redirect_reports_monitored_host_certificate(authority):
    monitored = authority.issue_cert("tls.test", not_after=days_from_now(60.5))
    elsewhere = authority.issue_cert("b.test", not_after=days_from_now(20.5))
    with https_server(leaf_context(elsewhere)) as other_url:
        other_port = other_url.rsplit(":", 1)[1]
        target = f"https://b.test:{other_port}/ok"
        with https_server(leaf_context(monitored)) as url:
            port = url.rsplit(":", 1)[1]
            outcome = run_http(
                trusting(authority, f"https://tls.test:{port}/redirect-to?url={target}")
            )

    assert outcome.status == "up"
    assert outcome.details["certificate_host"] == "tls.test"
    assert outcome.details["days_left"] == 60


def test_unverified_expired_follows_response(tmp_path):
    context = self_signed_context(tmp_path, "tls.test", ISSUED_ON, EXPIRED_ON)
    with https_server(context) as url:
        port = url.rsplit(":", 1)[1]
        outcome = run_http({"url": f"https://tls.test:{port}/ok", "verify_tls": False})

    assert outcome.status == "up"
    assert outcome.reason == ""
    assert outcome.details["status_code"] == 200
    assert outcome.details["not_after"] == "2024-01-01T00:00:00+00:00"
    assert outcome.details["days_left"] < 0
    assert outcome.details["warnings"] == ["certificate expired on 2024-01-01"]


def test_unverified_expired_bad_status(tmp_path):
    context = self_signed_context(tmp_path, "tls.test", ISSUED_ON, EXPIRED_ON)
    with https_server(context) as url:
        port = url.rsplit(":", 1)[1]
        outcome = run_http(
            {"url": f"https://tls.test:{port}/status/503", "verify_tls": False}
        )

    assert outcome.status == "down"
    assert outcome.reason.startswith("unexpected status 503")
    assert outcome.details["warnings"] == ["certificate expired on 2024-01-01"]


def test_config_rejects_invalid_pem():
    with pytest.raises(ValidationFailed) as caught:
        validate_check_config(
            "http", {"url": "https://tls.test/", "trusted_ca_pem": "not a PEM"}
        )

    assert list(caught.value.errors) == ["config.trusted_ca_pem"]
