"""The DNS checker against a stub authoritative server on 127.0.0.1."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from statuscore.checkers import Outcome
from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import validate_check_config
from tests.plugins.dns.stub import HOST, StubDnsServer

CAA_ZONE = [
    'ex.test. 300 IN CAA 0 issue "ca-one.test"',
    'ex.test. 300 IN CAA 0 issue "ca-two.test"',
    'ex.test. 300 IN CAA 0 issuewild "ca-one.test"',
]
A_ZONE = [
    "ex.test. 300 IN A 192.0.2.1",
    "ex.test. 300 IN A 192.0.2.2",
]
FIRST_CHUNK = "a" * 255
SECOND_CHUNK = "b" * 255


def run_dns(config: dict, timeout: float = 2.0) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "dns", config, timeout, client)

    return asyncio.run(run())


def run_dns_many(config: dict, count: int) -> list[Outcome]:
    async def run() -> list[Outcome]:
        async with httpx.AsyncClient() as client:
            return [
                await run_checker(1, "dns", config, 2.0, client) for _ in range(count)
            ]

    return asyncio.run(run())


def dns_config(server: StubDnsServer, **options) -> dict:
    return {"resolver": HOST, "port": server.port, **options}


def test_caa_set_matches_in_any_order():
    with StubDnsServer(CAA_ZONE, rotate=True) as server:
        config = dns_config(
            server,
            name="ex.test",
            record_type="CAA",
            expected=['0 issue "ca-two.test"'],
        )
        outcomes = run_dns_many(config, 50)
        queries = server.queries[("ex.test", "CAA")]

    assert queries == 50
    assert [outcome.status for outcome in outcomes] == ["up"] * 50
    assert {outcome.reason for outcome in outcomes} == {""}


def test_caa_equals_whole_set():
    with StubDnsServer(CAA_ZONE, rotate=True) as server:
        config = dns_config(
            server,
            name="ex.test",
            record_type="CAA",
            match="equals",
            expected=[
                '0 issuewild "ca-one.test"',
                '0 ISSUE "ca-two.test"',
                '0 issue "ca-one.test"',
            ],
        )
        outcomes = run_dns_many(config, 10)

    assert [outcome.status for outcome in outcomes] == ["up"] * 10


def test_equals_rejects_extra_record():
    with StubDnsServer(CAA_ZONE) as server:
        outcome = run_dns(
            dns_config(
                server,
                name="ex.test",
                record_type="CAA",
                match="equals",
                expected=['0 issue "ca-one.test"', '0 issue "ca-two.test"'],
            )
        )

    assert outcome.status == "down"
    assert outcome.reason.startswith(
        'unexpected CAA records: 0 issuewild "ca-one.test"; found: '
    )


@pytest.mark.parametrize(
    ("match", "expected", "status"),
    [
        ("contains", ["192.0.2.1", "192.0.2.2"], "up"),
        ("contains", ["192.0.2.1", "192.0.2.3"], "down"),
        ("any", ["192.0.2.3", "192.0.2.2"], "up"),
        ("any", ["192.0.2.3", "192.0.2.4"], "down"),
        ("equals", ["192.0.2.2", "192.0.2.1"], "up"),
        ("equals", ["192.0.2.1"], "down"),
    ],
)
def test_match_mode_on_a_records(match, expected, status):
    with StubDnsServer(A_ZONE, rotate=True) as server:
        outcome = run_dns(
            dns_config(server, name="ex.test", match=match, expected=expected)
        )

    assert outcome.status == status


def test_missing_record_named_in_reason():
    with StubDnsServer(A_ZONE) as server:
        outcome = run_dns(
            dns_config(server, name="ex.test", expected=["192.0.2.1", "192.0.2.9"])
        )

    assert outcome.status == "down"
    assert outcome.reason == (
        "missing A records: 192.0.2.9; found: 192.0.2.1, 192.0.2.2"
    )
    assert outcome.details["records"] == ["192.0.2.1", "192.0.2.2"]


def test_aaaa_compared_in_compressed_form():
    zone = ["ex.test. 300 IN AAAA 2001:db8:0:0:0:0:0:1"]
    with StubDnsServer(zone) as server:
        outcome = run_dns(
            dns_config(
                server, name="ex.test", record_type="AAAA", expected=["2001:DB8::1"]
            )
        )

    assert outcome.status == "up"
    assert outcome.details["records"] == ["2001:db8::1"]


def test_split_txt_joined():
    zone = [f'ex.test. 300 IN TXT "{FIRST_CHUNK}" "{SECOND_CHUNK}"']
    with StubDnsServer(zone) as server:
        outcome = run_dns(
            dns_config(
                server,
                name="ex.test",
                record_type="TXT",
                expected=[FIRST_CHUNK + SECOND_CHUNK],
            )
        )

    assert outcome.status == "up"
    assert outcome.details["records"] == [FIRST_CHUNK + SECOND_CHUNK]


@pytest.mark.parametrize(
    ("record_type", "zone_line", "expected"),
    [
        ("MX", "ex.test. 300 IN MX 10 MAIL.Ex.TEST.", "10 mail.ex.test"),
        ("MX", "ex.test. 300 IN MX 10 mail.ex.test.", "10 MAIL.EX.TEST."),
        ("CNAME", "www.ex.test. 300 IN CNAME Edge.CDN.test.", "edge.cdn.test"),
        ("NS", "ex.test. 300 IN NS NS1.ex.test.", "ns1.ex.test."),
        ("SRV", "ex.test. 300 IN SRV 10 5 5060 SIP.ex.test.", "10 5 5060 sip.ex.test"),
    ],
)
def test_names_compared_without_case_or_dot(record_type, zone_line, expected):
    name = zone_line.split()[0]
    with StubDnsServer([zone_line]) as server:
        outcome = run_dns(
            dns_config(server, name=name, record_type=record_type, expected=[expected])
        )

    assert outcome.status == "up", outcome.reason


def test_ptr_by_ip_address():
    zone = ["1.2.0.192.in-addr.arpa. 300 IN PTR host.ex.test."]
    with StubDnsServer(zone) as server:
        outcome = run_dns(
            dns_config(
                server, name="192.0.2.1", record_type="PTR", expected=["host.ex.test"]
            )
        )

    assert outcome.status == "up", outcome.reason


def test_soa_present_without_expectation():
    zone = ["ex.test. 300 IN SOA ns1.ex.test. host.ex.test. 7 3600 600 86400 60"]
    with StubDnsServer(zone) as server:
        outcome = run_dns(dns_config(server, name="ex.test", record_type="SOA"))

    assert outcome.status == "up"
    assert outcome.details["records"] == [
        "ns1.ex.test host.ex.test 7 3600 600 86400 60"
    ]


def test_nxdomain_reason():
    with StubDnsServer(A_ZONE) as server:
        outcome = run_dns(dns_config(server, name="nope.ex.test"))

    assert outcome.status == "down"
    assert outcome.reason == "NXDOMAIN: nope.ex.test does not exist"


def test_nodata_reason():
    with StubDnsServer(A_ZONE) as server:
        outcome = run_dns(dns_config(server, name="ex.test", record_type="MX"))

    assert outcome.status == "down"
    assert outcome.reason == "NODATA: ex.test has no MX records"


def test_servfail_reason():
    with StubDnsServer(A_ZONE, servfail=("broken.test",)) as server:
        outcome = run_dns(dns_config(server, name="broken.test"))

    assert outcome.status == "down"
    assert outcome.reason == f"SERVFAIL from resolver {HOST}:{server.port}"


def test_resolver_timeout_reason():
    with StubDnsServer(A_ZONE, silent=("slow.test",)) as server:
        outcome = run_dns(dns_config(server, name="slow.test"), timeout=0.5)

    assert outcome.status == "down"
    assert outcome.reason == (
        f"DNS query timed out after 0.5 s (resolver {HOST}:{server.port})"
    )


def test_ttl_ignored():
    zone = ["ex.test. 5 IN A 192.0.2.1"]
    with StubDnsServer(zone) as server:
        outcome = run_dns(dns_config(server, name="ex.test", expected=["192.0.2.1"]))

    assert outcome.status == "up"


def test_config_rejects_invalid_expected_value():
    with pytest.raises(ValidationFailed) as raised:
        validate_check_config(
            "dns",
            {
                "name": "ex.test",
                "record_type": "A",
                "resolver": HOST,
                "expected": ["not-an-address"],
            },
        )

    assert "config.expected" in raised.value.errors


def test_config_rejects_unknown_record_type():
    with pytest.raises(ValidationFailed) as raised:
        validate_check_config(
            "dns", {"name": "ex.test", "record_type": "HINFO", "resolver": HOST}
        )

    assert "config.record_type" in raised.value.errors


def test_config_requires_resolver_address():
    with pytest.raises(ValidationFailed) as raised:
        validate_check_config("dns", {"name": "ex.test", "resolver": "dns.test"})

    assert "config.resolver" in raised.value.errors
