"""The TLS checker against TLS servers on 127.0.0.1 with test certificates."""

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
from tests.plugins.servers import closed_port
from tests.plugins.tls.servers import (
    HOST,
    TlsServer,
    days_from_now,
    leaf_context,
    self_signed_context,
)

EXPIRED_ON = datetime(2024, 1, 1, tzinfo=UTC)


def run_tls(config: dict, timeout: float = 3.0) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "tls", config, timeout, client)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def tls_config(authority: trustme.CA, server: TlsServer, **options) -> dict:
    return {
        "host": HOST,
        "port": server.port,
        "trusted_ca_pem": authority.cert_pem.bytes().decode(),
        **options,
    }


def test_valid_certificate_is_up(authority):
    leaf = authority.issue_cert("tls.test", not_after=days_from_now(90.5))
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_tls(tls_config(authority, server, server_name="tls.test"))

    assert outcome.status == "up", outcome.reason
    assert outcome.reason == ""
    assert outcome.details["days_left"] == 90
    assert outcome.details["verified"] is True
    assert outcome.details["server_name"] == "tls.test"
    assert len(outcome.details["fingerprint_sha256"]) == 64


def test_details_describe_leaf_and_chain(authority):
    leaf = authority.issue_cert(
        "tls.test", common_name="tls.test", not_after=days_from_now(60.5)
    )
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_tls(tls_config(authority, server, server_name="tls.test"))

    details = outcome.details
    assert "tls.test" in details["subject"]
    assert details["issuer"] != details["subject"]
    assert datetime.fromisoformat(details["not_after"]) > datetime.now(UTC)
    assert details["chain"][0]["fingerprint_sha256"] == details["fingerprint_sha256"]
    assert len(details["chain"]) == 2
    assert details["chain_days_left"] == 60
    assert details["names"] == ["tls.test"]


def test_expired_self_signed_is_down(tmp_path):
    context = self_signed_context(
        tmp_path, "tls.test", datetime(2023, 1, 1, tzinfo=UTC), EXPIRED_ON
    )
    with TlsServer(context) as server:
        outcome = run_tls(
            {"host": HOST, "port": server.port, "server_name": "tls.test"}
        )

    assert outcome.status == "down"
    assert outcome.reason == "certificate expired on 2024-01-01"
    assert outcome.details["days_left"] < 0
    assert outcome.details["not_after"] == "2024-01-01T00:00:00+00:00"


def test_expired_trusted_certificate_is_down(authority):
    leaf = authority.issue_cert(
        "tls.test", not_before=datetime(2023, 1, 1, tzinfo=UTC), not_after=EXPIRED_ON
    )
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_tls(tls_config(authority, server, server_name="tls.test"))

    assert outcome.status == "down"
    assert outcome.reason == "certificate expired on 2024-01-01"
    assert outcome.details["verified"] is False


def test_expired_without_verification_is_degraded(tmp_path):
    context = self_signed_context(
        tmp_path, "tls.test", datetime(2023, 1, 1, tzinfo=UTC), EXPIRED_ON
    )
    with TlsServer(context) as server:
        outcome = run_tls(
            {
                "host": HOST,
                "port": server.port,
                "server_name": "tls.test",
                "verify": False,
            }
        )

    assert outcome.status == "degraded"
    assert outcome.reason == "certificate expired on 2024-01-01 (verification off)"
    assert outcome.details["days_left"] < 0


def test_wrong_hostname_is_mismatch(authority):
    leaf = authority.issue_cert("other.test", not_after=days_from_now(90))
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_tls(tls_config(authority, server, server_name="tls.test"))

    assert outcome.status == "down"
    assert outcome.reason == (
        "hostname mismatch: certificate is for other.test, not tls.test"
    )
    assert outcome.details["days_left"] in (89, 90)


def test_unknown_authority_not_trusted(authority):
    leaf = authority.issue_cert("tls.test", not_after=days_from_now(90))
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_tls(
            {"host": HOST, "port": server.port, "server_name": "tls.test"}
        )

    assert outcome.status == "down"
    assert outcome.reason.startswith("certificate not trusted: ")
    assert outcome.details["days_left"] in (89, 90)


def test_server_name_selects_certificate(authority):
    cert_a = authority.issue_cert(
        "a.test", common_name="a.test", not_after=days_from_now(30.5)
    )
    cert_b = authority.issue_cert(
        "b.test", common_name="b.test", not_after=days_from_now(60.5)
    )
    contexts = {"a.test": leaf_context(cert_a), "b.test": leaf_context(cert_b)}
    with TlsServer(leaf_context(cert_a), contexts) as server:
        outcome = run_tls(tls_config(authority, server, server_name="b.test"))
        server_names = list(server.server_names)

    assert outcome.status == "up", outcome.reason
    assert outcome.details["days_left"] == 60
    assert "b.test" in outcome.details["subject"]
    assert server_names == ["b.test"]


def test_few_days_left_is_degraded(authority):
    leaf = authority.issue_cert("tls.test", not_after=days_from_now(5.5))
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_tls(
            tls_config(authority, server, server_name="tls.test", warn_days=14)
        )

    assert outcome.status == "degraded"
    assert outcome.reason.startswith("certificate expires in 5 days, on ")


def test_intermediate_expiring_first_is_reported():
    root = trustme.CA()
    intermediate = root.create_child_ca()
    leaf = intermediate.issue_cert("tls.test", not_after=days_from_now(300))
    with TlsServer(leaf_context(leaf)) as server:
        outcome = run_tls(tls_config(root, server, server_name="tls.test"))

    chain = outcome.details["chain"]
    assert outcome.status == "up", outcome.reason
    assert len(chain) == 3
    assert outcome.details["chain_days_left"] == min(c["days_left"] for c in chain)


def test_closed_port_refused():
    with closed_port() as port:
        outcome = run_tls({"host": HOST, "port": port})

    assert outcome.status == "down"
    assert outcome.reason == "connection refused"


def test_plain_tcp_server_fails_handshake():
    from tests.plugins.servers import GreetingServer

    with GreetingServer(b"220 not tls\r\n") as server:
        outcome = run_tls({"host": HOST, "port": server.port})

    assert outcome.status == "down"
    assert outcome.reason.startswith("TLS handshake failed: ")


def test_config_rejects_invalid_pem():
    with pytest.raises(ValidationFailed) as raised:
        validate_check_config(
            "tls", {"host": HOST, "trusted_ca_pem": "-----BEGIN CERTIFICATE-----"}
        )

    assert "config.trusted_ca_pem" in raised.value.errors


def test_config_rejects_zero_reminder_day():
    with pytest.raises(ValidationFailed) as raised:
        validate_check_config("tls", {"host": HOST, "reminder_days": [30, 0]})

    assert "config.reminder_days" in raised.value.errors


def test_config_sorts_reminder_days():
    config = validate_check_config("tls", {"host": HOST, "reminder_days": [7, 30, 7]})

    assert config["reminder_days"] == [30, 7]


def test_checker_result_sends_one_reminder(authority, page):
    from django.utils import timezone

    from statuscore.models import OutboxEvent
    from statuscore.services.checks import create_check, record_result

    leaf = authority.issue_cert("tls.test", not_after=days_from_now(19.5))
    with TlsServer(leaf_context(leaf)) as server:
        config = tls_config(
            authority, server, server_name="tls.test", reminder_days=[40, 30, 20]
        )
        check = create_check(page, "TLS", "tls", config)
        first = run_tls(check.config)
        second = run_tls(check.config)
    record_result(check.pk, first, timezone.now())
    record_result(check.pk, second, timezone.now())

    events = list(OutboxEvent.objects.filter(kind="certificate.expiring"))
    assert len(events) == 1
    assert events[0].payload["days_left"] == 19
    assert events[0].payload["threshold_days"] == 20
