"""The HTTP checker against real servers on 127.0.0.1, through the runner."""

from __future__ import annotations

import asyncio
import errno
import time

import httpx
import pytest

from plugins.http.checker import _describe_transport_error
from statuscore.checkers import Outcome
from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import DEADLINE_GRACE_SECONDS, run_checker
from statuscore.services.checks import validate_check_config
from tests.plugins.servers import (
    closed_port,
    dropping_server,
    http_server,
    https_server,
    silent_server,
)

# Scheduling and thread start-up on a loaded machine, beyond the deadline.
SLACK_SECONDS = 0.5


def run_http(config: dict, timeout: float = 2.0) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "http", config, timeout, client)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def base_url():
    with http_server() as url:
        yield url


def test_ok_is_up(base_url):
    outcome = run_http({"url": f"{base_url}/ok"})

    assert outcome.status == "up"
    assert outcome.reason == ""
    assert outcome.response_time_ms is not None
    assert outcome.response_time_ms > 0
    assert outcome.details["status_code"] == 200


def test_unexpected_status_is_down(base_url):
    outcome = run_http({"url": f"{base_url}/status/503"})

    assert outcome.status == "down"
    assert "503" in outcome.reason
    assert outcome.details["status_code"] == 503


@pytest.mark.parametrize(
    ("path", "expected_status", "status"),
    [
        ("/status/503", [503], "up"),
        ("/status/204", [200, 204], "up"),
        ("/ok", [201], "down"),
        ("/status/404", None, "down"),
        ("/status/299", None, "up"),
    ],
)
def test_expected_status(base_url, path, expected_status, status):
    config = {"url": f"{base_url}{path}"}
    if expected_status is not None:
        config["expected_status"] = expected_status

    assert run_http(config).status == status


def test_redirect_followed(base_url):
    outcome = run_http({"url": f"{base_url}/redirect"})

    assert outcome.status == "up"
    assert outcome.details["final_url"] == f"{base_url}/ok"
    assert outcome.details["redirects"] == [
        {"url": f"{base_url}/redirect", "status": 302}
    ]


def test_redirect_not_followed(base_url):
    outcome = run_http({"url": f"{base_url}/redirect", "follow_redirects": False})

    assert outcome.status == "down"
    assert "302" in outcome.reason


def test_redirect_limit(base_url):
    outcome = run_http({"url": f"{base_url}/loop", "max_redirects": 3})

    assert outcome.status == "down"
    assert outcome.reason == "more than 3 redirects"


def test_closed_port_refused():
    with closed_port() as port:
        outcome = run_http({"url": f"http://127.0.0.1:{port}/"})

    assert outcome.status == "down"
    assert outcome.reason == "connection refused"


def test_dropped_connect_times_out():
    with dropping_server() as port:
        started = time.perf_counter()
        outcome = run_http({"url": f"http://127.0.0.1:{port}/"}, timeout=1.0)
        duration = time.perf_counter() - started

    assert outcome.status == "down"
    assert outcome.reason == "connect timeout"
    assert duration < 1.0 + SLACK_SECONDS


def test_silent_server_times_out():
    with silent_server() as port:
        started = time.perf_counter()
        outcome = run_http({"url": f"http://127.0.0.1:{port}/"}, timeout=1.0)
        duration = time.perf_counter() - started

    assert outcome.status == "down"
    assert outcome.reason == "read timeout"
    assert duration >= 1.0
    assert duration < 1.0 + SLACK_SECONDS


def test_drip_hits_deadline(base_url):
    started = time.perf_counter()
    outcome = run_http({"url": f"{base_url}/drip"}, timeout=1.0)
    duration = time.perf_counter() - started

    assert outcome.status == "down"
    assert outcome.reason == "timed out after 1 s"
    assert duration >= 1.0
    assert duration < 1.0 + DEADLINE_GRACE_SECONDS + SLACK_SECONDS


def test_slow_is_degraded(base_url):
    outcome = run_http({"url": f"{base_url}/slow?ms=300", "degraded_after_ms": 100})

    assert outcome.status == "degraded"
    assert outcome.response_time_ms >= 300
    assert "slow response" in outcome.reason


def test_fast_is_not_degraded(base_url):
    outcome = run_http({"url": f"{base_url}/ok", "degraded_after_ms": 5000})

    assert outcome.status == "up"


def _chained(error: httpx.TransportError, cause: BaseException) -> Exception:
    """Wrap ``cause`` the way httpx, httpcore and anyio do."""
    try:
        try:
            raise OSError("All connection attempts failed") from cause
        except OSError as middle:
            raise error from middle
    except httpx.TransportError as outer:
        return outer


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ConnectTimeout("timed out"), "connect timeout"),
        (httpx.ReadTimeout("timed out"), "read timeout"),
        (httpx.WriteTimeout("timed out"), "write timeout"),
        (httpx.PoolTimeout("timed out"), "pool timeout"),
        (
            _chained(
                httpx.ConnectError("x"), ConnectionRefusedError(errno.ECONNREFUSED, "")
            ),
            "connection refused",
        ),
        (
            _chained(
                httpx.ConnectError("x"),
                ExceptionGroup(
                    "two addresses",
                    [
                        ConnectionRefusedError(errno.ECONNREFUSED, "refused"),
                        ConnectionRefusedError(errno.ECONNREFUSED, "refused"),
                    ],
                ),
            ),
            "connection refused",
        ),
        (
            _chained(httpx.ConnectError("x"), OSError(errno.EHOSTUNREACH, "no route")),
            "host unreachable",
        ),
        (
            _chained(httpx.ReadError("x"), ConnectionResetError(errno.ECONNRESET, "")),
            "connection reset",
        ),
        (
            httpx.RemoteProtocolError("Server disconnected"),
            "protocol error: Server disconnected",
        ),
    ],
)
def test_transport_error_reason(error, reason):
    assert _describe_transport_error(error) == reason


def test_invalid_config_names_fields():
    with pytest.raises(ValidationFailed) as caught:
        validate_check_config(
            "http",
            {
                "url": "not a url",
                "method": "FETCH",
                "expected_status": [200, 700],
                "max_redirects": 99,
                "degraded_after_ms": 0,
                "colour": "red",
            },
        )

    errors = caught.value.errors
    assert "config.url" in errors
    assert "config.method" in errors
    assert "config.expected_status" in errors
    assert "config.max_redirects" in errors
    assert "config.degraded_after_ms" in errors
    assert "config.colour" in errors


def test_missing_url_rejected():
    with pytest.raises(ValidationFailed) as caught:
        validate_check_config("http", {})

    assert list(caught.value.errors) == ["config.url"]


def test_empty_expected_status_rejected():
    with pytest.raises(ValidationFailed) as caught:
        validate_check_config(
            "http", {"url": "http://127.0.0.1/", "expected_status": []}
        )

    assert list(caught.value.errors) == ["config.expected_status"]


def test_valid_config_normalised():
    config = validate_check_config(
        "http", {"url": "http://127.0.0.1:8080", "method": "head"}
    )

    assert config["method"] == "HEAD"
    assert config["url"] == "http://127.0.0.1:8080/"


def test_untrusted_certificate_is_down():
    with https_server() as url:
        outcome = run_http({"url": f"{url}/ok"})

    assert outcome.status == "down"
    assert "certificate" in outcome.reason.lower()


def test_unverified_tls_is_up():
    with https_server() as url:
        outcome = run_http({"url": f"{url}/ok", "verify_tls": False})

    assert outcome.status == "up"


def test_verifying_after_unverified_still_rejects():
    """The shared TLS contexts stay separate per setting."""
    with https_server() as url:
        run_http({"url": f"{url}/ok", "verify_tls": False})
        outcome = run_http({"url": f"{url}/ok", "verify_tls": True})

    assert outcome.status == "down"
