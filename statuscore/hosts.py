"""Client address, host and scheme of a request, trusting proxies by address.

A reverse proxy reports who the client was and which host
and scheme it requested, in ``X-Forwarded-For``, ``X-Forwarded-Host`` and
``X-Forwarded-Proto``. Any client can send those headers too, so they are
honoured only when the direct peer, the TCP connection's address, is in
the ``TRUSTED_PROXIES`` setting: a list of IP addresses and CIDR networks,
empty by default. From any other peer they are ignored.

The same rule serves plain Django requests
(:class:`statuscore.middleware.ProxyHeadersMiddleware`) and ASGI scopes,
such as a WebSocket connection or a fast path in front of Django
(:func:`client_address_from_scope`, :func:`request_host_from_scope`).
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http.request import split_domain_port, validate_host

__all__ = [
    "Forwarded",
    "client_address_from_scope",
    "is_allowed_host",
    "is_trusted_proxy",
    "page_for_domain",
    "parse_address",
    "request_host_from_scope",
    "resolve_forwarded",
    "scheme_from_scope",
    "trusted_proxy_networks",
]

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=16)
def _parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip()) for entry in entries)


def trusted_proxy_networks() -> tuple[Network, ...]:
    """Return the networks of ``settings.TRUSTED_PROXIES``.

    The settings module checks the list at start-up; an invalid entry here
    raises ``ValueError``.
    """
    return _parse_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def parse_address(value: str | None) -> Address | None:
    """Parse one address as proxies write it, or return None.

    Accepts ``192.0.2.1``, ``192.0.2.1:443``, ``2001:db8::1`` and
    ``[2001:db8::1]:443``. An IPv4-mapped IPv6 address such as
    ``::ffff:192.0.2.1`` becomes the IPv4 address, so that IPv4 rules
    apply to it on a dual-stack socket.
    """
    if not value:
        return None
    text = value.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def address_in(address: Address | None, networks: Iterable[Network]) -> bool:
    """Return whether ``address`` is inside any of ``networks``."""
    if address is None:
        return False
    return any(
        address.version == network.version and address in network
        for network in networks
    )


def is_trusted_proxy(address: str | None) -> bool:
    """Return whether ``address`` is one of ``TRUSTED_PROXIES``."""
    return address_in(parse_address(address), trusted_proxy_networks())


def _last_value(header: str | None) -> str:
    """Return the last comma-separated value of a header: the one the
    nearest proxy wrote, when proxies append to a list."""
    if not header:
        return ""
    return header.rsplit(",", 1)[-1].strip()


@dataclass(frozen=True)
class Forwarded:
    """The client, host and scheme of a request, once proxy headers are weighed.

    ``host`` and ``scheme`` are None when the request's own Host header and
    connection scheme apply.
    """

    client: str
    host: str | None
    scheme: str | None


def _client_from_chain(peer: Address, forwarded_for: str | None) -> Address:
    """Walk ``X-Forwarded-For`` from the right, skipping trusted proxies.

    The first address that is not a trusted proxy is the client. An entry
    that is not an address ends the walk, and the last address vouched for
    is the client, because everything left of a forged entry may be forged.
    """
    networks = trusted_proxy_networks()
    client = peer
    for entry in reversed((forwarded_for or "").split(",")):
        if not entry.strip():
            continue
        address = parse_address(entry)
        if address is None:
            break
        client = address
        if not address_in(address, networks):
            break
    return client


def resolve_forwarded(
    peer: str | None,
    forwarded_for: str | None,
    forwarded_host: str | None,
    forwarded_proto: str | None,
) -> Forwarded:
    """Decide the client address, host and scheme of a request.

    From a peer outside ``TRUSTED_PROXIES`` the three headers are ignored:
    the client is the peer, and host and scheme are None. From a trusted
    peer the client comes from ``X-Forwarded-For`` (see
    :func:`_client_from_chain`), and the host and scheme are the last
    values of ``X-Forwarded-Host`` and ``X-Forwarded-Proto``. A scheme
    other than ``http`` or ``https`` is ignored.
    """
    peer_address = parse_address(peer)
    if not address_in(peer_address, trusted_proxy_networks()):
        return Forwarded(client=str(peer_address or peer or ""), host=None, scheme=None)

    client = _client_from_chain(peer_address, forwarded_for)
    host = _last_value(forwarded_host) or None
    scheme = _last_value(forwarded_proto).lower() or None
    if scheme not in {None, "http", "https"}:
        scheme = None
    return Forwarded(client=str(client), host=host, scheme=scheme)


def _scope_headers(scope: dict) -> dict[str, str]:
    """Return an ASGI scope's headers by lower-case name, repeated headers
    joined with commas as HTTP allows."""
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]},{text}" if key in headers else text
    return headers


def _forwarded_from_scope(scope: dict) -> tuple[Forwarded, dict[str, str]]:
    headers = _scope_headers(scope)
    client = scope.get("client") or (None, None)
    forwarded = resolve_forwarded(
        client[0],
        headers.get("x-forwarded-for"),
        headers.get("x-forwarded-host"),
        headers.get("x-forwarded-proto"),
    )
    return forwarded, headers


def client_address_from_scope(scope: dict) -> str:
    """Return the client's IP address for an ASGI scope, by the same rule
    as HTTP requests; empty when the server gave no client."""
    return _forwarded_from_scope(scope)[0].client


def request_host_from_scope(scope: dict) -> str:
    """Return the host name an ASGI scope requests, normalised.

    The host is ``X-Forwarded-Host`` from a trusted proxy, else the
    ``Host`` header, else the server's name. It is returned lower-case,
    without port and trailing dot, as Django's ``split_domain_port`` does,
    so ``STATUS.EXAMPLE.TEST.:443`` gives ``status.example.test``. A value
    that is no valid host gives an empty string. This function reads no
    database and does not check ``ALLOWED_HOSTS``.
    """
    forwarded, headers = _forwarded_from_scope(scope)
    raw = forwarded.host or headers.get("host")
    if not raw:
        server = scope.get("server") or (None, None)
        raw = server[0] or ""
    domain, _port = split_domain_port(raw)
    return domain


def scheme_from_scope(scope: dict) -> str:
    """Return ``http``/``https`` (or ``ws``/``wss`` for WebSockets) as the
    client used it, by the same rule."""
    forwarded, _headers = _forwarded_from_scope(scope)
    scheme = scope.get("scheme") or (
        "ws" if scope.get("type") == "websocket" else "http"
    )
    if forwarded.scheme is None:
        return scheme
    secure = forwarded.scheme == "https"
    if scope.get("type") == "websocket":
        return "wss" if secure else "ws"
    return "https" if secure else "http"


def page_for_domain(domain: str):
    """Return the core page whose custom domain is ``domain``, or None.

    ``domain`` is a normalised host name, as :func:`request_host_from_scope`
    and Django's ``split_domain_port`` return it.
    """
    from statuscore.models import Page

    if not domain:
        return None
    # Page services store domains lower-case without a trailing dot, but
    # rows written another way may have either.
    matches = Q(domain__iexact=domain) | Q(domain__iexact=f"{domain}.")
    return Page.objects.filter(matches).first()


def is_allowed_host(domain: str) -> bool:
    """Return whether the site serves ``domain``: one of its own hosts
    (``STATUSCORE_ALLOWED_HOSTS``, else ``ALLOWED_HOSTS``) or a page's
    domain. Reads the database for hosts that are not the site's own."""
    if not domain:
        return False
    hosts = getattr(settings, "STATUSCORE_ALLOWED_HOSTS", None)
    if hosts is None:
        hosts = settings.ALLOWED_HOSTS
    if validate_host(domain, hosts):
        return True
    return page_for_domain(domain) is not None
