"""The network policy as a pure function, and resolution through overrides.

Only address values are judged here; nothing is sent anywhere.
"""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from statuscore.exceptions import CheckFailed
from statuscore.netsafety import TargetRejected, address_rejection, resolve_target


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "link-local"),
        ("169.254.170.2", "link-local"),
        ("fe80::1", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("224.0.0.1", "multicast"),
    ],
)
def test_always_rejected(address, kind):
    reason = address_rejection(ipaddress.ip_address(address), allow_private=True)

    assert reason is not None
    assert kind in reason


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("100.64.0.1", "shared"),
        ("0.0.0.0", "unspecified"),
        ("::ffff:10.0.0.1", "private"),
    ],
)
def test_private_rejected_when_off(address, kind):
    reason = address_rejection(ipaddress.ip_address(address), allow_private=False)

    assert reason is not None
    assert kind in reason
    assert "STATUSCORE_ALLOW_PRIVATE_TARGETS" in reason


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3", "192.168.1.1"])
def test_private_allowed_when_on(address):
    assert address_rejection(ipaddress.ip_address(address), allow_private=True) is None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07::1"])
@pytest.mark.parametrize("allow_private", [True, False])
def test_global_allowed(address, allow_private):
    assert address_rejection(ipaddress.ip_address(address), allow_private) is None


def test_override_used_instead_of_dns(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {"dual.test": ["127.0.0.1", "::1"]}

    addresses = asyncio.run(resolve_target("DUAL.test.", 80))

    assert addresses == ["127.0.0.1", "::1"]


def test_families_interleaved(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {
        "many.test": ["::1", "::2", "127.0.0.1", "127.0.0.2"]
    }

    addresses = asyncio.run(resolve_target("many.test", 80))

    assert addresses == ["::1", "127.0.0.1", "::2", "127.0.0.2"]


@pytest.mark.parametrize(
    ("family", "expected"), [("ipv4", ["127.0.0.1"]), ("ipv6", ["::1"])]
)
def test_family_filter(settings, family, expected):
    settings.STATUSCORE_HOST_OVERRIDES = {"dual.test": ["::1", "127.0.0.1"]}

    assert asyncio.run(resolve_target("dual.test", 80, family)) == expected


def test_missing_family_fails(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {"v4.test": ["127.0.0.1"]}

    with pytest.raises(CheckFailed) as caught:
        asyncio.run(resolve_target("v4.test", 80, "ipv6"))

    assert caught.value.reason == "v4.test has no IPv6 address"


def test_rejected_addresses_dropped(settings):
    settings.STATUSCORE_HOST_OVERRIDES = {"mixed.test": ["169.254.169.254", "::1"]}

    assert asyncio.run(resolve_target("mixed.test", 80)) == ["::1"]


def test_all_rejected_names_each(settings):
    settings.STATUSCORE_ALLOW_PRIVATE_TARGETS = False
    settings.STATUSCORE_HOST_OVERRIDES = {"inside.test": ["127.0.0.1", "fe80::1"]}

    with pytest.raises(TargetRejected) as caught:
        asyncio.run(resolve_target("inside.test", 80))

    assert "127.0.0.1 is a loopback address" in caught.value.reason
    assert "fe80::1 is a link-local address" in caught.value.reason


def test_ip_literal_judged(settings):
    settings.STATUSCORE_ALLOW_PRIVATE_TARGETS = False

    with pytest.raises(TargetRejected):
        asyncio.run(resolve_target("127.0.0.1", 80))
