"""The connection path of HTTP checks: policy, Happy Eyeballs, one client per run."""

from __future__ import annotations

import socket
import ssl
import typing

import httpcore
import httpx

from statuscore.connect import ConnectFailed, connect_first
from statuscore.netsafety import IpFamily, resolve_target

__all__ = ["CheckNetworkBackend", "build_transport"]


class CheckNetworkBackend(httpcore.AsyncNetworkBackend):
    """Connect through ``statuscore.netsafety`` and race the addresses found.

    The host is resolved once by ``resolve_target``, which applies the
    network policy and ``STATUSCORE_HOST_OVERRIDES``. Each allowed address
    is then tried with Happy Eyeballs, so a dead IPv6 address delays the
    IPv4 attempt by 250 ms instead of the whole connect timeout.

    ``connected`` maps each (host, port) to the address last connected to,
    so a failed TLS handshake can be repeated against the same address.
    """

    def __init__(self, ip_family: IpFamily) -> None:
        self._ip_family = ip_family
        self._backend = httpcore.AnyIOBackend()
        self.connected: dict[tuple[str, int], str] = {}

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await resolve_target(host, port, self._ip_family)
        except socket.gaierror as error:
            raise httpcore.ConnectError(f"DNS lookup of {host} failed") from error

        async def attempt(address: str) -> httpcore.AsyncNetworkStream:
            return await self._backend.connect_tcp(
                address, port, timeout=timeout, socket_options=socket_options
            )

        async def discard(stream: httpcore.AsyncNetworkStream) -> None:
            await stream.aclose()

        try:
            stream, address = await connect_first(addresses, port, attempt, discard)
        except ConnectFailed as error:
            timed_out = all(
                isinstance(e, httpcore.ConnectTimeout) for _, e in error.attempts
            )
            error_class = (
                httpcore.ConnectTimeout if timed_out else httpcore.ConnectError
            )
            raise error_class(str(error)) from error
        self.connected[(host, port)] = address
        return stream

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("HTTP checks do not connect to Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def build_transport(
    ssl_context: ssl.SSLContext, network_backend: CheckNetworkBackend
) -> httpx.AsyncHTTPTransport:
    """Build an httpx transport whose connections go through the check backend.

    Environment proxies are not used: a proxy would connect on our behalf
    and bypass the network policy.
    """
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, trust_env=False)
    # NOTE: httpx (0.28, 0.29) does not accept a network backend, so the
    # pool it built is replaced by an equal one that has ours. The tests of
    # the address family and the policy fail if a release changes this.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=10,
        max_keepalive_connections=10,
        network_backend=network_backend,
    )
    return transport
