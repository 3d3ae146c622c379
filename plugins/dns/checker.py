"""Check that a DNS resolver answers a name with the expected records."""

from __future__ import annotations

import ipaddress
import logging
import time
from typing import Literal

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver
import dns.reversename
import pydantic

from plugins.dns.records import canonical_expected, canonical_text
from statuscore.checkers import (
    CheckContext,
    Checker,
    Outcome,
    describe_connect_error,
)

logger = logging.getLogger(__name__)

MAX_EXPECTED_VALUES = 50
# Records listed in a failure reason; details keep them all.
SHOWN_RECORDS = 10

RecordType = Literal[
    "A", "AAAA", "CNAME", "MX", "TXT", "NS", "CAA", "SRV", "PTR", "SOA"
]


class DnsConfig(pydantic.BaseModel):
    """Configuration of a DNS record check."""

    model_config = pydantic.ConfigDict(extra="forbid")

    name: str = pydantic.Field(
        min_length=1,
        max_length=253,
        description="Name to query. For PTR, an IP address is also accepted.",
    )
    record_type: RecordType = "A"
    resolver: pydantic.IPvAnyAddress = pydantic.Field(
        description="IP address of the resolver or authoritative server to ask."
    )
    port: int = pydantic.Field(default=53, ge=1, le=65535)
    expected: list[str] = pydantic.Field(
        default_factory=list,
        max_length=MAX_EXPECTED_VALUES,
        description=(
            "Values in zone-file syntax, such as '10 mail.example.com' for MX "
            "or '0 issue \"letsencrypt.org\"' for CAA. TXT values are written "
            "without quotes. Leave empty to require only that records exist."
        ),
    )
    match: Literal["contains", "equals", "any"] = pydantic.Field(
        default="contains",
        description=(
            "'contains': every expected value is in the answer. 'equals': the "
            "answer is exactly the expected set. 'any': at least one is."
        ),
    )

    @pydantic.field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        try:
            dns.name.from_text(value)
        except dns.exception.DNSException as error:
            raise ValueError(f"{value!r} is not a valid DNS name: {error}") from None
        return value

    @pydantic.field_validator("expected")
    @classmethod
    def _check_expected(
        cls, values: list[str], info: pydantic.ValidationInfo
    ) -> list[str]:
        record_type = info.data.get("record_type")
        if record_type is None:
            return values
        for value in values:
            canonical_expected(record_type, value)
        return values


class DnsChecker(Checker):
    name = "dns"
    label = "DNS record"
    Config = DnsConfig

    async def run(self, config: DnsConfig, context: CheckContext) -> Outcome:
        started = time.perf_counter()
        server = _server_text(config)
        details: dict = {"resolver": server, "record_type": config.record_type}
        resolver = _make_resolver(config, context.timeout)
        query_name = _query_name(config)

        try:
            answer = await resolver.resolve(
                query_name,
                config.record_type,
                search=False,
                raise_on_no_answer=False,
            )
        except dns.resolver.NXDOMAIN:
            reason = f"NXDOMAIN: {_display(query_name)} does not exist"
            return Outcome("down", _elapsed_ms(started), reason, details)
        except dns.resolver.LifetimeTimeout:
            reason = (
                f"DNS query timed out after {context.timeout:g} s (resolver {server})"
            )
            return Outcome("down", _elapsed_ms(started), reason, details)
        except dns.resolver.NoNameservers as error:
            reason = _describe_no_answer(error, server)
            return Outcome("down", _elapsed_ms(started), reason, details)
        except dns.exception.DNSException as error:
            logger.debug("DNS check %s failed: %r", context.check_id, error)
            reason = f"DNS query failed: {error}"
            return Outcome("down", _elapsed_ms(started), reason, details)

        elapsed = _elapsed_ms(started)
        if answer.rrset is None:
            reason = (
                f"NODATA: {_display(query_name)} has no {config.record_type} records"
            )
            return Outcome("down", elapsed, reason, details)

        found = {canonical_text(rdata) for rdata in answer.rrset}
        details["records"] = sorted(found)
        reason = _compare(config, found)
        return Outcome("down" if reason else "up", elapsed, reason, details)


def _make_resolver(config: DnsConfig, timeout: float) -> dns.asyncresolver.Resolver:
    # configure=False keeps /etc/resolv.conf out of it: only the configured
    # server is asked, and no search domains are appended.
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [str(config.resolver)]
    resolver.port = config.port
    resolver.timeout = timeout
    resolver.lifetime = timeout
    resolver.cache = None
    return resolver


def _query_name(config: DnsConfig) -> dns.name.Name:
    if config.record_type == "PTR":
        try:
            return dns.reversename.from_address(str(ipaddress.ip_address(config.name)))
        except ValueError:
            pass
    return dns.name.from_text(config.name)


def _compare(config: DnsConfig, found: set[str]) -> str:
    """Return why the answer fails the expectation, or "" when it passes."""
    expected = {canonical_expected(config.record_type, v) for v in config.expected}
    if not expected:
        return ""

    record_type = config.record_type
    missing = expected - found
    if config.match == "any":
        if expected & found:
            return ""
        return (
            f"none of the expected {record_type} records found; "
            f"found: {_listing(found)}"
        )

    problems = []
    if missing:
        problems.append(f"missing {record_type} records: {_listing(missing)}")
    extra = found - expected
    if config.match == "equals" and extra:
        problems.append(f"unexpected {record_type} records: {_listing(extra)}")
    if not problems:
        return ""
    return "; ".join(problems) + f"; found: {_listing(found)}"


def _describe_no_answer(error: dns.resolver.NoNameservers, server: str) -> str:
    """Name what the server returned when no usable answer came back.

    Each entry of the error's ``errors`` is (server, tcp, port, error,
    response), where ``error`` is the rcode text ("SERVFAIL", "REFUSED")
    or the exception the query raised.
    """
    reasons: list[str] = []
    for entry in error.kwargs.get("errors", []):
        problem = entry[3]
        if isinstance(problem, str):
            text = f"{problem} from resolver {server}"
        elif isinstance(problem, OSError):
            text = f"DNS query failed: {describe_connect_error(problem)} ({server})"
        else:
            text = f"DNS query failed: {problem} ({server})"
        if text not in reasons:
            reasons.append(text)
    return "; ".join(reasons) or f"no answer from resolver {server}"


def _listing(values: set[str]) -> str:
    ordered = sorted(values)
    text = ", ".join(ordered[:SHOWN_RECORDS])
    if len(ordered) > SHOWN_RECORDS:
        text += f" and {len(ordered) - SHOWN_RECORDS} more"
    return text


def _server_text(config: DnsConfig) -> str:
    address = config.resolver
    host = f"[{address}]" if address.version == 6 else str(address)
    return f"{host}:{config.port}"


def _display(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
