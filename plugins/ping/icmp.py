"""ICMP echo packets and the sockets that send them, without a ping binary.

Linux lets an unprivileged process send echo requests through a datagram
socket (``SOCK_DGRAM`` with ``IPPROTO_ICMP``) when its group is in the
``net.ipv4.ping_group_range`` sysctl, which also covers IPv6. Otherwise a
raw socket is needed, which takes root or ``CAP_NET_RAW``.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

ECHO_REQUEST = {socket.AF_INET: 8, socket.AF_INET6: 128}
ECHO_REPLY = {socket.AF_INET: 0, socket.AF_INET6: 129}
_PROTOCOLS = {
    socket.AF_INET: socket.IPPROTO_ICMP,
    socket.AF_INET6: socket.IPPROTO_ICMPV6,
}
_HEADER = struct.Struct("!BBHHH")


class IcmpNotPermitted(Exception):
    """Neither a datagram nor a raw ICMP socket may be opened on this host."""


@dataclass(frozen=True)
class IcmpSocket:
    sock: socket.socket
    family: int
    raw: bool


def _new_socket(family: int, kind: int, protocol: int) -> socket.socket:
    return socket.socket(family, kind, protocol)


def open_icmp_socket(family: int) -> IcmpSocket:
    """Open a non-blocking ICMP socket, datagram first, then raw.

    Raises ``IcmpNotPermitted`` with both errors when neither opens.
    """
    protocol = _PROTOCOLS[family]
    errors = []
    for kind, raw in ((socket.SOCK_DGRAM, False), (socket.SOCK_RAW, True)):
        try:
            sock = _new_socket(family, kind, protocol)
        except OSError as error:
            name = "raw" if raw else "datagram"
            errors.append(f"{name} socket: {error.strerror or error}")
            continue
        sock.setblocking(False)
        return IcmpSocket(sock, family, raw)
    raise IcmpNotPermitted("; ".join(errors))


def checksum(data: bytes) -> int:
    """Return the Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_request(family: int, identifier: int, sequence: int, payload: bytes) -> bytes:
    """Build an echo request.

    The IPv4 checksum is computed here. The kernel fills in the ICMPv6
    checksum, whose pseudo-header holds the source address that the kernel
    chooses. On datagram sockets the kernel also replaces the identifier
    with the socket's own.
    """
    header = _HEADER.pack(ECHO_REQUEST[family], 0, 0, identifier, sequence)
    if family == socket.AF_INET6:
        return header + payload
    value = checksum(header + payload)
    return _HEADER.pack(ECHO_REQUEST[family], 0, value, identifier, sequence) + payload


def is_reply_to(packet: bytes, icmp: IcmpSocket, sequence: int, payload: bytes) -> bool:
    """Tell whether ``packet`` is the echo reply to our request ``sequence``.

    A raw IPv4 socket receives the IP header too, and every ICMP message
    of the host, so the payload, which carries a random token, is compared
    as well as the sequence number.
    """
    if icmp.raw and icmp.family == socket.AF_INET:
        if len(packet) < 20:
            return False
        packet = packet[(packet[0] & 0x0F) * 4 :]
    if len(packet) < _HEADER.size:
        return False
    kind, code, _, _, reply_sequence = _HEADER.unpack_from(packet)
    return (
        kind == ECHO_REPLY[icmp.family]
        and code == 0
        and reply_sequence == sequence
        and packet[_HEADER.size :] == payload
    )
