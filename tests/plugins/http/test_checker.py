"""The HTTP checker against real loopback servers, through the runner."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import socket
import time

import httpx
import pytest

from plugins.http.checker import HttpConfig, _describe_transport_error
from statuscore import netsafety
from statuscore.checkers import Outcome
from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import DEADLINE_GRACE_SECONDS, run_checker
from statuscore.services.checks import validate_check_config
from tests.plugins.servers import (
    closed_port,
    dropping_server,
    dual_stack,
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
    outcome = run_http({"url": f"{base_url}/chain/1", "max_redirects": 3})

    assert outcome.status == "down"
    assert outcome.reason == (
        "more than 3 redirects: /chain/1 -> /chain/2 -> /chain/3 -> /chain/4"
    )


def test_redirect_to_same_request_is_loop(base_url):
    outcome = run_http({"url": f"{base_url}/loop", "max_redirects": 10})

    assert outcome.status == "down"
    assert outcome.reason == "redirect loop: /loop -> /loop"


def test_cookie_redirect_to_self_is_up(base_url):
    outcome = run_http({"url": f"{base_url}/cookie-wall", "keyword": "OK-MARKER"})

    assert outcome.status == "up"
    assert outcome.details["redirects"] == [
        {"url": f"{base_url}/cookie-wall", "status": 302}
    ]
    assert outcome.details["final_url"] == f"{base_url}/cookie-wall"


def test_new_cookie_every_hop_is_loop(base_url):
    started = time.perf_counter()
    outcome = run_http(
        {"url": f"{base_url}/cookie-churn", "max_redirects": 4}, timeout=5.0
    )
    duration = time.perf_counter() - started

    assert outcome.status == "down"
    assert outcome.reason.startswith("redirect loop: more than 4 redirects: ")
    assert outcome.reason.count("/cookie-churn") == 5
    assert len(outcome.details["redirects"]) == 5
    assert duration < 5.0


def test_cookies_not_shared_between_checks(base_url):
    login = run_http({"url": f"{base_url}/login", "keyword": "session=abc"})
    other = run_http({"url": f"{base_url}/whoami", "keyword": "session"})

    assert login.status == "up"
    assert other.status == "down"
    assert other.reason == "keyword 'session' not found"


def test_cookies_not_kept_between_runs(base_url):
    async def run_twice() -> tuple[Outcome, Outcome]:
        async with httpx.AsyncClient() as client:
            first = await run_checker(
                1, "http", {"url": f"{base_url}/login"}, 2.0, client
            )
            second = await run_checker(
                1,
                "http",
                {"url": f"{base_url}/whoami", "keyword": "session"},
                2.0,
                client,
            )
            return first, second

    first, second = asyncio.run(run_twice())

    assert first.status == "up"
    assert second.status == "down"


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


def check_echo(base_url: str, expected: dict, **options) -> Outcome:
    """Check /echo, which returns the request it received as JSON.

    ``expected`` maps JSONPaths of that echo to their values; a value of
    None asserts that the path is absent.
    """
    assertions = [
        {"path": path, "op": "absent"}
        if value is None
        else {"path": path, "op": "==", "value": value}
        for path, value in expected.items()
    ]
    config = {"url": f"{base_url}/echo", "json_assertions": assertions}
    return run_http({**config, **options})


def test_method_headers_body_sent(base_url):
    outcome = check_echo(
        base_url,
        {
            "$.method": "POST",
            "$.headers['x-probe']": "yes",
            "$.headers['content-type']": "application/json",
            "$.body": '{"ping": 1}',
        },
        method="POST",
        headers={"X-Probe": "yes", "Content-Type": "application/json"},
        body='{"ping": 1}',
    )

    assert outcome.reason == ""
    assert outcome.status == "up"


def test_basic_auth_sent(base_url):
    outcome = check_echo(
        base_url,
        {"$.headers.authorization": "Basic bW9uaXRvcjpzM2NyZXQ="},
        basic_auth={"username": "monitor", "password": "s3cret"},
    )

    assert outcome.reason == ""
    assert outcome.status == "up"


def test_bearer_token_sent(base_url):
    outcome = check_echo(
        base_url, {"$.headers.authorization": "Bearer tok-123"}, bearer_token="tok-123"
    )

    assert outcome.reason == ""
    assert outcome.status == "up"


def test_auth_not_sent_to_other_origin():
    with http_server() as other:
        routes = {"/away": (302, [("Location", f"{other}/echo")], b"")}
        with http_server(routes) as start:
            outcome = check_echo(
                start,
                {"$.headers.authorization": None, "$.method": "GET"},
                bearer_token="tok-789",
                url=f"{start}/away",
            )

    assert outcome.reason == ""
    assert outcome.status == "up"
    assert outcome.details["final_url"] == f"{other}/echo"


def test_secrets_hidden_from_repr_and_logs(base_url, caplog):
    config = {
        "url": f"{base_url}/status/500",
        "basic_auth": {"username": "monitor", "password": "pw-hidden-1"},
    }
    parsed = HttpConfig.model_validate(config)

    with caplog.at_level(logging.DEBUG):
        outcome = run_http(config)
        # Both kinds of authorization: rejected by a validator of the whole
        # model, whose error would repeat every input value.
        invalid = run_http({**config, "bearer_token": "tok-hidden-2"})

    assert "pw-hidden-1" not in repr(parsed)
    assert "pw-hidden-1" not in str(parsed)
    assert outcome.status == "down"
    assert invalid.reason.startswith("invalid configuration: config: ")
    assert "pw-hidden-1" not in invalid.reason
    assert "tok-hidden-2" not in invalid.reason
    assert "pw-hidden-1" not in caplog.text
    assert "tok-hidden-2" not in caplog.text


def test_secrets_stored_for_runs():
    config = validate_check_config(
        "http", {"url": "http://127.0.0.1/", "bearer_token": "tok-456"}
    )

    assert config["bearer_token"] == "tok-456"


@pytest.mark.parametrize(
    ("path", "expected_status", "status"),
    [
        ("/status/503", ["500-599"], "up"),
        ("/status/301", [301, "200-299"], "up"),
        ("/status/404", ["200-299", "500-599"], "down"),
        ("/status/204", ["204"], "up"),
    ],
)
def test_expected_status_ranges(base_url, path, expected_status, status):
    config = {"url": f"{base_url}{path}", "expected_status": expected_status}

    assert run_http(config).status == status


@pytest.mark.parametrize(
    "expected_status",
    [["300-200"], ["200-700"], ["2xx"], [True], "200"],
)
def test_invalid_status_range_rejected(expected_status):
    with pytest.raises(ValidationFailed) as caught:
        validate_check_config(
            "http", {"url": "http://127.0.0.1/", "expected_status": expected_status}
        )

    assert list(caught.value.errors) == ["config.expected_status"]


def test_status_range_normalised():
    config = validate_check_config(
        "http", {"url": "http://127.0.0.1/", "expected_status": [" 200 - 299 ", "301"]}
    )

    assert config["expected_status"] == ["200-299", 301]


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({"Bad Name": "x"}, "config.headers"),
        ({"X-A": "one\r\nX-B: two"}, "config.headers"),
        ({"Content-Length": "5"}, "config.headers"),
        ({"Accept-Encoding": "*"}, "config.headers"),
        ({"Authorization": "Basic x"}, "config"),
    ],
)
def test_invalid_headers_rejected(headers, field):
    config = {"url": "http://127.0.0.1/", "headers": headers, "bearer_token": "t"}

    with pytest.raises(ValidationFailed) as caught:
        validate_check_config("http", config)

    assert list(caught.value.errors) == [field]


def test_dead_ipv6_falls_back_to_ipv4(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {"dual.test": ["::1", "127.0.0.1"]}

    with dual_stack(ipv4="http", ipv6="drop") as port:
        outcome = run_http({"url": f"http://dual.test:{port}/ok"}, timeout=5.0)

    assert outcome.status == "up"
    assert outcome.details["address"] == "127.0.0.1"
    assert outcome.details["ip_family"] == "IPv4"
    assert outcome.response_time_ms < 2000


def test_ipv6_only_host_up(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {"v6only.test": ["::1"]}

    with http_server(host="::1") as url:
        port = url.rsplit(":", 1)[1]
        outcome = run_http({"url": f"http://v6only.test:{port}/ok"})

    assert outcome.status == "up"
    assert outcome.details["address"] == "::1"
    assert outcome.details["ip_family"] == "IPv6"


def test_ipv6_literal_url_up():
    with http_server(host="::1") as url:
        outcome = run_http({"url": f"{url}/ok"})

    assert outcome.status == "up"
    assert outcome.details["ip_family"] == "IPv6"


def test_all_dead_lists_each_address(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {"dead.test": ["::1", "127.0.0.1"]}

    with dual_stack(ipv4="refuse", ipv6="drop") as port:
        outcome = run_http({"url": f"http://dead.test:{port}/"}, timeout=1.0)

    assert outcome.status == "down"
    assert outcome.reason == (
        f"all 2 addresses failed: [::1]:{port} connect timeout; "
        f"127.0.0.1:{port} connection refused"
    )


@pytest.mark.parametrize(
    ("ip_family", "status", "reason"),
    [("ipv4", "up", ""), ("ipv6", "down", "connection refused")],
)
def test_family_pinned(settings, ip_family, status, reason):
    settings.STATUSCORE_HOST_OVERRIDES = {"pin.test": ["::1", "127.0.0.1"]}

    with dual_stack(ipv4="http", ipv6="refuse") as port:
        outcome = run_http(
            {"url": f"http://pin.test:{port}/ok", "ip_family": ip_family}
        )

    assert outcome.status == status
    assert outcome.reason == reason


def test_private_target_rejected_before_connect(settings):
    settings.STATUSCORE_ALLOW_PRIVATE_TARGETS = False

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        outcome = run_http({"url": f"http://127.0.0.1:{port}/"})
        with pytest.raises(BlockingIOError):
            listener.accept()

    assert outcome.status == "down"
    assert outcome.reason == (
        "target rejected: 127.0.0.1 is a loopback address "
        "and STATUSCORE_ALLOW_PRIVATE_TARGETS is off"
    )


def test_redirect_hop_checked_by_policy(monkeypatch):
    # 127.0.0.2 stands in for a metadata address, so that a broken policy
    # would still send nothing beyond the loopback interface.
    blocked = ipaddress.ip_address("127.0.0.2")
    monkeypatch.setattr(netsafety, "METADATA_ADDRESSES", frozenset({blocked}))

    with http_server() as target:
        port = target.rsplit(":", 1)[1]
        routes = {"/away": (302, [("Location", f"http://127.0.0.2:{port}/ok")], b"")}
        with http_server(routes) as url:
            outcome = run_http({"url": f"{url}/away"})

    assert outcome.status == "down"
    assert outcome.reason == "target rejected: 127.0.0.2 is a cloud metadata address"
