"""Check that a URL answers with an expected status code."""

from __future__ import annotations

import functools
import logging
import ssl
import time

import certifi
import httpx
import pydantic

from statuscore.checkers import (
    CheckContext,
    Checker,
    Outcome,
    describe_connect_error,
)

logger = logging.getLogger(__name__)

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class HttpConfig(pydantic.BaseModel):
    """Configuration of an HTTP check."""

    model_config = pydantic.ConfigDict(extra="forbid")

    url: pydantic.AnyHttpUrl
    method: str = "GET"
    expected_status: list[int] = pydantic.Field(
        default_factory=lambda: list(range(200, 300)),
        description="Status codes that count as up. Defaults to 200-299.",
    )
    follow_redirects: bool = True
    max_redirects: int = pydantic.Field(default=10, ge=0, le=30)
    verify_tls: bool = True
    degraded_after_ms: float | None = pydantic.Field(
        default=None,
        gt=0,
        description="Response time above which an answer counts as degraded.",
    )

    @pydantic.field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        method = value.upper()
        if method not in METHODS:
            raise ValueError(f"must be one of {', '.join(METHODS)}")
        return method

    @pydantic.field_validator("expected_status")
    @classmethod
    def _valid_status_codes(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("must name at least one status code")
        bad = [code for code in value if not 100 <= code <= 599]
        if bad:
            raise ValueError(f"{bad} are not HTTP status codes (100-599)")
        return value


_TIMEOUT_REASONS = (
    (httpx.ConnectTimeout, "connect timeout"),
    (httpx.ReadTimeout, "read timeout"),
    (httpx.WriteTimeout, "write timeout"),
    (httpx.PoolTimeout, "pool timeout"),
)


def _describe_transport_error(error: httpx.TransportError) -> str:
    """Name a transport failure the way an operator would search for it.

    httpx reports a refused connection as "All connection attempts
    failed", so connect and read errors are named from the operating
    system's error at the bottom of the exception chain.
    """
    for error_class, reason in _TIMEOUT_REASONS:
        if isinstance(error, error_class):
            return reason
    if isinstance(error, httpx.ConnectError | httpx.ReadError | httpx.WriteError):
        return describe_connect_error(error)
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.RemoteProtocolError):
        return f"protocol error: {text}"
    return f"{type(error).__name__}: {text}"


@functools.cache
def ssl_context(verify: bool) -> ssl.SSLContext:
    """Return a TLS context shared by every run with the same ``verify``.

    Building one loads the CA bundle, which takes about 18 ms; a client per
    run would spend most of the monitor's time there. A context holds no
    per-check state, so sharing it keeps checks independent.
    """
    context = ssl.create_default_context(cafile=certifi.where())
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class HttpChecker(Checker):
    name = "http"
    label = "HTTP(S)"
    Config = HttpConfig

    async def run(self, config: HttpConfig, context: CheckContext) -> Outcome:
        started = time.perf_counter()
        url = str(config.url)
        history: list[dict] = []

        try:
            # A client per run, so cookies and TLS settings never leak
            # from one check to another.
            async with httpx.AsyncClient(
                verify=ssl_context(config.verify_tls),
                follow_redirects=config.follow_redirects,
                max_redirects=config.max_redirects,
                timeout=context.timeout,
                headers=context.http_client.headers,
            ) as client:
                response = await client.request(config.method, url)
                history = [
                    {"url": str(r.url), "status": r.status_code}
                    for r in response.history
                ]
        except httpx.TooManyRedirects:
            return Outcome(
                "down",
                _elapsed_ms(started),
                f"more than {config.max_redirects} redirects",
            )
        except httpx.TransportError as error:
            reason = _describe_transport_error(error)
            logger.debug("HTTP check %s failed: %s", context.check_id, reason)
            return Outcome("down", _elapsed_ms(started), reason)
        except httpx.RequestError as error:
            # An invalid body encoding, for one: the server sent a
            # response that cannot be read.
            reason = f"invalid response: {error}"
            logger.debug("HTTP check %s failed: %s", context.check_id, reason)
            return Outcome("down", _elapsed_ms(started), reason)

        elapsed = _elapsed_ms(started)
        details = {
            "status_code": response.status_code,
            "final_url": str(response.url),
            "redirects": history,
        }
        if response.status_code not in config.expected_status:
            return Outcome(
                "down",
                elapsed,
                f"unexpected status {response.status_code} from {response.url}",
                details,
            )
        if config.degraded_after_ms is not None and elapsed > config.degraded_after_ms:
            return Outcome(
                "degraded",
                elapsed,
                f"slow response: {elapsed:.0f} ms, "
                f"over {config.degraded_after_ms:.0f} ms",
                details,
            )
        return Outcome("up", elapsed, "", details)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
