"""Check that a URL responds as expected: status, keyword, JSON and speed."""

from __future__ import annotations

import functools
import logging
import ssl
import time
from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

import certifi
import httpx

from plugins.http.assertions import evaluate_assertion, keyword_found, parse_json
from plugins.http.body import (
    BodyError,
    decode_content,
    decode_text,
    read_body,
    supported_encodings,
)
from plugins.http.config import HttpConfig, status_matches
from plugins.http.network import CheckNetworkBackend, build_transport
from statuscore.certificates import (
    CertificateFacts,
    HandshakeTimeout,
    describe_verify_error,
    expiry_reason,
    fetch_chain,
    read_certificate,
)
from statuscore.checkers import (
    CheckContext,
    Checker,
    Outcome,
    describe_connect_error,
)

__all__ = ["HttpChecker", "HttpConfig"]

logger = logging.getLogger(__name__)

_TIMEOUT_REASONS = (
    (httpx.ConnectTimeout, "connect timeout"),
    (httpx.ReadTimeout, "read timeout"),
    (httpx.WriteTimeout, "write timeout"),
    (httpx.PoolTimeout, "pool timeout"),
)


class RedirectFailed(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _describe_transport_error(error: httpx.TransportError) -> str:
    """Name a transport failure the way an operator would search for it.

    httpx reports a refused connection as "All connection attempts
    failed", so connect and read errors are named from the operating
    system's error at the bottom of the exception chain. A connect timeout
    with a cause comes from our own connection path, which names each
    address tried.
    """
    if isinstance(error, httpx.ConnectTimeout) and error.__cause__ is not None:
        return describe_connect_error(error)
    for error_class, reason in _TIMEOUT_REASONS:
        if isinstance(error, error_class):
            return reason
    if isinstance(error, httpx.ConnectError | httpx.ReadError | httpx.WriteError):
        return describe_connect_error(error)
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.RemoteProtocolError):
        return f"protocol error: {text}"
    return f"{type(error).__name__}: {text}"


@functools.lru_cache(maxsize=32)
def ssl_context(verify: bool, trusted_ca_pem: str | None = None) -> ssl.SSLContext:
    """Return a TLS context shared by every run with the same arguments.

    Building one loads the CA bundle, which took about 18 ms on the
    development machine, so a context per run would dominate the monitor's
    CPU time. A context contains no
    per-check state, so sharing it keeps checks independent.
    ``trusted_ca_pem`` adds private CAs to certifi's bundle.
    """
    context = ssl.create_default_context(cafile=certifi.where())
    if trusted_ca_pem:
        context.load_verify_locations(cadata=trusted_ca_pem)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _find_verify_error(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """Return the certificate verification error that ``error`` wraps, if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _certificate_details(
    leaf: CertificateFacts, now: datetime, host: str
) -> dict[str, Any]:
    return {
        "certificate_host": host,
        "not_after": leaf.not_after.isoformat(),
        "days_left": leaf.days_left(now),
    }


def _served_certificate(response: httpx.Response) -> dict[str, Any]:
    """Return the dates of the certificate served on the response's connection.

    With ``verify_tls`` off, an expired certificate does not fail the
    check, so its expiry is recorded here with a warning.
    """
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return {}
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return {}
    try:
        leaf = read_certificate(der)
    except ValueError as error:
        logger.debug("Could not parse the certificate of %s: %s", response.url, error)
        return {}

    now = datetime.now(UTC)
    found = _certificate_details(leaf, now, response.url.host)
    warning = expiry_reason([leaf], now)
    if warning:
        found["warnings"] = [warning]
    return found


class BearerAuth(httpx.Auth):
    """Send ``Authorization: Bearer <token>``; repr() never shows the token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


def _auth(config: HttpConfig) -> httpx.Auth | None:
    if config.basic_auth is not None:
        return httpx.BasicAuth(
            config.basic_auth.username, config.basic_auth.password.get_secret_value()
        )
    if config.bearer_token is not None:
        return BearerAuth(config.bearer_token.get_secret_value())
    return None


def _request_headers(config: HttpConfig, context: CheckContext) -> httpx.Headers:
    headers = httpx.Headers(context.http_client.headers)
    # Advertise only what body.decode_content can decompress.
    headers["Accept-Encoding"] = ", ".join(supported_encodings())
    headers.update(config.headers)
    return headers


def _show_hop(url: httpx.URL, start: httpx.URL) -> str:
    """Write a hop as its path when it stays on the first URL's origin."""
    if (url.scheme, url.host, url.port) == (start.scheme, start.host, start.port):
        return url.raw_path.decode("ascii", errors="replace")
    return str(url)


def _connected_address(response: httpx.Response) -> dict[str, str]:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        return {}
    address = str(peer[0])
    return {"address": address, "ip_family": "IPv6" if ":" in address else "IPv4"}


async def _fetch(
    client: httpx.AsyncClient,
    config: HttpConfig,
    hops: list[dict],
    details: dict,
) -> tuple[httpx.Response, bytes]:
    """Send the request and follow redirects with the run's cookie jar.

    A redirect back to a request already made, with the same cookies, is a
    loop and fails at once. A server that sets a cookie and redirects to
    the same URL gets one more request, which now carries the cookie.
    Authentication goes only to the origin of the configured URL; httpx
    drops Authorization and Cookie headers on the way to another origin.
    """
    start = httpx.URL(str(config.url))
    auth = _auth(config)
    request = client.build_request(
        config.method, start, content=config.body.encode() if config.body else None
    )
    seen: set[tuple[str, str, str]] = set()

    while True:
        state = (request.method, str(request.url), request.headers.get("Cookie", ""))
        path = [_show_hop(httpx.URL(hop["url"]), start) for hop in hops]
        if state in seen:
            shown = " -> ".join([*path, _show_hop(request.url, start)])
            raise RedirectFailed(f"redirect loop: {shown}")
        seen.add(state)

        same_origin = request.url.scheme == start.scheme and request.url.netloc == (
            start.netloc
        )
        response = await client.send(
            request, stream=True, auth=auth if same_origin else None
        )
        details.update(_connected_address(response))
        if not hops:
            # The certificate reported is the monitored URL's, named in
            # certificate_host: a redirect to another host must not make
            # that host's certificate stand in for this one's.
            details.update(_served_certificate(response))
        if response.next_request is None or not config.follow_redirects:
            break

        hops.append({"url": str(request.url), "status": response.status_code})
        await response.aclose()
        if len(hops) > config.max_redirects:
            raise RedirectFailed(_too_many_redirects(config, hops, start))
        request = response.next_request

    try:
        body = await read_body(response, config.max_body_bytes)
    finally:
        await response.aclose()
    return response, body


def _too_many_redirects(config: HttpConfig, hops: list[dict], start: httpx.URL) -> str:
    urls = [hop["url"] for hop in hops]
    shown = " -> ".join(_show_hop(httpx.URL(url), start) for url in urls)
    if len(set(urls)) < len(urls):
        # The same URLs again with new cookies each time.
        return f"redirect loop: more than {config.max_redirects} redirects: {shown}"
    return f"more than {config.max_redirects} redirects: {shown}"


class HttpChecker(Checker):
    """Request a URL over new connections and judge the response.

    Each run builds its own client, so its cookie jar starts empty, and
    its connections go through this check's address policy. Connections
    are not kept alive for the next run, although that would save an
    estimated 0.2 to 0.3 ms of CPU per run. (That is the gap between a run
    against ``bench/targets.py`` and a keep-alive request from plain
    httpx.) A run on a kept connection skips what the run is there to
    test: the DNS lookup, the network policy on its answer, the TCP
    connect and the TLS handshake that verifies the certificate. A target
    whose DNS fails, whose listener stops accepting, or whose certificate
    expires would then stay up until the server closed the old connection.
    The response time would also leave out connecting.
    """

    name = "http"
    label = "HTTP(S)"
    Config = HttpConfig

    async def run(self, config: HttpConfig, context: CheckContext) -> Outcome:
        started = time.perf_counter()
        hops: list[dict] = []
        details: dict[str, Any] = {"redirects": hops}

        backend = CheckNetworkBackend(config.ip_family)
        trusted = config.trusted_ca_pem if config.verify_tls else None
        try:
            # A client per run: its cookie jar starts empty and is never
            # shared, and its transport applies this check's address policy.
            async with httpx.AsyncClient(
                transport=build_transport(
                    ssl_context(config.verify_tls, trusted), backend
                ),
                follow_redirects=False,
                timeout=context.timeout,
                headers=_request_headers(config, context),
                trust_env=False,
            ) as client:
                response, raw = await _fetch(client, config, hops, details)
        except RedirectFailed as error:
            return self._down(context, started, error.reason, details)
        except BodyError as error:
            return self._down(context, started, error.reason, details)
        except httpx.TransportError as error:
            verify_error = _find_verify_error(error)
            if verify_error is None:
                reason = _describe_transport_error(error)
            else:
                reason = await _describe_verify_failure(
                    error, verify_error, backend, context, started, details
                )
            return self._down(context, started, reason, details)
        except httpx.RequestError as error:
            # An invalid URL in a Location header, for one.
            return self._down(context, started, f"invalid response: {error}", details)

        elapsed = _elapsed_ms(started)
        details["status_code"] = response.status_code
        details["final_url"] = str(response.url)
        if not status_matches(response.status_code, config.expected_status):
            reason = f"unexpected status {response.status_code} from {response.url}"
            return Outcome("down", elapsed, reason, details)

        try:
            body = decode_content(
                raw,
                response.headers.get("Content-Encoding", ""),
                config.max_body_bytes,
            )
        except BodyError as error:
            return Outcome("down", elapsed, error.reason, details)

        failure = self._check_body(config, response, body, details)
        if failure:
            return Outcome("down", elapsed, failure, details)
        if config.degraded_after_ms is not None and elapsed > config.degraded_after_ms:
            return Outcome(
                "degraded",
                elapsed,
                f"slow response: {elapsed:.0f} ms, "
                f"over {config.degraded_after_ms:.0f} ms",
                details,
            )
        return Outcome("up", elapsed, "", details)

    def _check_body(
        self, config: HttpConfig, response: httpx.Response, body: bytes, details: dict
    ) -> str:
        """Return why the body fails the keyword or JSON assertions, or ""."""
        if config.keyword is not None:
            text, codec = decode_text(body, response.headers.get("Content-Type"))
            details["charset"] = codec
            found = keyword_found(text, config.keyword, config.keyword_case_sensitive)
            if config.keyword_mode == "present" and not found:
                return f"keyword {config.keyword!r} not found"
            if config.keyword_mode == "absent" and found:
                return f"keyword {config.keyword!r} found"

        if config.json_assertions:
            try:
                document = parse_json(body)
            except ValueError as error:
                return str(error)
            failures = [
                failure
                for assertion in config.json_assertions
                if (
                    failure := evaluate_assertion(
                        document,
                        assertion.path,
                        assertion.op,
                        assertion.value,
                        assertion.length,
                    )
                )
            ]
            if failures:
                details["json_failures"] = failures
                return "; ".join(failures)
        return ""

    def _down(
        self, context: CheckContext, started: float, reason: str, details: dict
    ) -> Outcome:
        logger.debug("HTTP check %s failed: %s", context.check_id, reason)
        return Outcome("down", _elapsed_ms(started), reason, details)


async def _describe_verify_failure(
    error: httpx.TransportError,
    verify_error: ssl.SSLCertVerificationError,
    backend: CheckNetworkBackend,
    context: CheckContext,
    started: float,
    details: dict,
) -> str:
    """Name a failed verification in the TLS checker's words.

    Python's ``ssl`` raises before the certificate can be read, so a second
    handshake that accepts any certificate, to the same address and with
    the same server name, reads its dates. An expired certificate is named
    first, because renewing it is the fix even when OpenSSL reported
    another error (a self-signed certificate is reported as untrusted
    before its dates are checked).
    """
    details["verify_error"] = verify_error.verify_message
    url = error.request.url
    port = url.port or 443
    address = backend.connected.get((url.host, port))
    certificates: list[CertificateFacts] = []
    if address is not None:
        remaining = max(0.1, context.timeout - (time.perf_counter() - started))
        try:
            chain = await fetch_chain(address, port, url.host, remaining)
            certificates = [read_certificate(der) for der in chain]
        except (HandshakeTimeout, OSError, ValueError) as second_error:
            # The verification error alone gives the reason.
            logger.debug(
                "HTTP check %s: unverified handshake to %s failed: %s",
                context.check_id,
                address,
                second_error,
            )

    if not certificates:
        return describe_verify_error(verify_error, url.host, None)
    now = datetime.now(UTC)
    leaf = certificates[0]
    details.update(_certificate_details(leaf, now, url.host))
    expired = expiry_reason(certificates, now)
    return expired or describe_verify_error(verify_error, url.host, leaf)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
