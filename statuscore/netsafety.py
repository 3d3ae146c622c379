"""The network policy for check targets, and resolving a host to addresses.

A check connects wherever its configuration points, which would let anyone
who can create checks probe places they should not reach. The policy:

- Link-local addresses (169.254.0.0/16, fe80::/10) and the cloud metadata
  addresses in ``METADATA_ADDRESSES`` are always rejected.
- Loopback, private, shared (100.64.0.0/10) and every other non-global
  address is rejected when ``STATUSCORE_ALLOW_PRIVATE_TARGETS`` is false.
  It defaults to true, because a self-hosted monitor usually watches its
  own network.

``resolve_target`` resolves a host once and applies the policy to each
address. Checkers connect to the addresses it returns, never to the host
name, so a DNS answer that changes between the check and the connect (DNS
rebinding) cannot reach a rejected address.

``STATUSCORE_HOST_OVERRIDES`` maps host names to addresses, like a hosts
file for the monitor alone. A name found there is never sent to the system
resolver. Tests use it to give names such as ``dual.test`` loopback
addresses, and operators can use it to pin a name to chosen addresses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import Literal

from statuscore.conf import get_settings
from statuscore.exceptions import CheckFailed

__all__ = [
    "METADATA_ADDRESSES",
    "IpFamily",
    "TargetRejected",
    "address_rejection",
    "resolve_target",
]

logger = logging.getLogger(__name__)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpFamily = Literal["auto", "ipv4", "ipv6"]

# Instance metadata services that are not link-local addresses: AWS over
# IPv6 (in fd00::/8) and Alibaba Cloud (in 100.64.0.0/10). The common
# 169.254.169.254 is link-local and rejected with that whole range.
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("fd00:ec2::254"),
        ipaddress.ip_address("100.100.100.200"),
    }
)

_FAMILIES = {"auto": socket.AF_UNSPEC, "ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}


class TargetRejected(CheckFailed):
    """Every address of a check's target is rejected by the network policy."""


def _kind(address: IpAddress) -> str:
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified:
        return "unspecified"
    if address.is_private:
        return "private"
    if address in ipaddress.ip_network("100.64.0.0/10"):
        return "shared (carrier-grade NAT)"
    return "non-global"


def address_rejection(address: IpAddress, allow_private: bool) -> str | None:
    """Return why a check may not connect to ``address``, or None if it may.

    An IPv4-mapped IPv6 address (``::ffff:a.b.c.d``) is judged as the IPv4
    address it carries.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped

    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if address.is_link_local:
        return f"{address} is a link-local address"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if not allow_private and not address.is_global:
        return (
            f"{address} is a {_kind(address)} address "
            "and STATUSCORE_ALLOW_PRIVATE_TARGETS is off"
        )
    return None


def _interleave(addresses: list[IpAddress]) -> list[IpAddress]:
    """Alternate families, starting with the family of the first address.

    RFC 8305 section 4 orders connection attempts this way, so a dead
    address of one family delays the other family by one attempt only.
    """
    first = [a for a in addresses if a.version == addresses[0].version]
    second = [a for a in addresses if a.version != addresses[0].version]
    ordered: list[IpAddress] = []
    for index in range(max(len(first), len(second))):
        ordered.extend(first[index : index + 1])
        ordered.extend(second[index : index + 1])
    return ordered


async def _lookup(host: str, port: int, family: IpFamily) -> list[IpAddress]:
    settings = get_settings()
    override = settings.host_overrides.get(host.lower().rstrip("."))
    if override is not None:
        return [ipaddress.ip_address(text) for text in override]

    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass

    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(
        host, port, family=_FAMILIES[family], type=socket.SOCK_STREAM
    )
    addresses: list[IpAddress] = []
    for info in infos:
        # Drop an IPv6 scope id ("fe80::1%eth0"): the policy rejects
        # link-local addresses, the only ones that carry it.
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


async def resolve_target(host: str, port: int, family: IpFamily = "auto") -> list[str]:
    """Resolve ``host`` once and return the addresses a check may connect to.

    1. Look the host up in ``STATUSCORE_HOST_OVERRIDES``, else take it as an
       IP address, else ask the system resolver.
    2. Keep the addresses of ``family`` (``"auto"`` keeps both).
    3. Drop the addresses the policy rejects.
    4. Order the rest for Happy Eyeballs, alternating families.

    Raises ``socket.gaierror`` when the lookup fails, and ``CheckFailed``
    (``TargetRejected`` when the policy is the cause) when no address is left.
    """
    allow_private = get_settings().allow_private_targets
    found = await _lookup(host, port, family)
    if family == "ipv4":
        found = [a for a in found if a.version == 4]
    elif family == "ipv6":
        found = [a for a in found if a.version == 6]
    if not found:
        raise CheckFailed(f"{host} has no {family.replace('ipv', 'IPv')} address")

    allowed: list[IpAddress] = []
    rejections: list[str] = []
    for address in found:
        rejection = address_rejection(address, allow_private)
        if rejection is None:
            allowed.append(address)
        else:
            rejections.append(rejection)
    if rejections:
        logger.debug("Rejected addresses of %s: %s", host, "; ".join(rejections))
    if not allowed:
        raise TargetRejected(f"target rejected: {'; '.join(rejections)}")
    return [str(address) for address in _interleave(allowed)]
