"""Turn DNS records into comparable text, so answers compare as sets.

Both the records in an answer and the values a user expects pass through
:func:`canonical_text`: names lose case and the trailing dot, addresses
take their compressed form, TXT strings are joined, and the TTL is never
part of the value.
"""

from __future__ import annotations

import ipaddress

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
from dns.rdata import Rdata


def _name(name: dns.name.Name) -> str:
    text = name.to_text(omit_final_dot=True).lower()
    return text or "."


def canonical_text(rdata: Rdata) -> str:
    """Return the record's value in the form used for comparison and display."""
    rdtype = dns.rdatatype.to_text(rdata.rdtype)
    if rdtype in ("A", "AAAA"):
        return str(ipaddress.ip_address(rdata.address))
    if rdtype in ("CNAME", "NS", "PTR"):
        return _name(rdata.target)
    if rdtype == "MX":
        return f"{rdata.preference} {_name(rdata.exchange)}"
    if rdtype == "SRV":
        return f"{rdata.priority} {rdata.weight} {rdata.port} {_name(rdata.target)}"
    if rdtype == "TXT":
        # A TXT value longer than 255 bytes travels as several strings.
        return b"".join(rdata.strings).decode("utf-8", errors="replace")
    if rdtype == "CAA":
        # RFC 8659 matches property tags without regard to case.
        tag = rdata.tag.decode("ascii").lower()
        value = rdata.value.decode("utf-8", errors="replace")
        return f'{rdata.flags} {tag} "{value}"'
    if rdtype == "SOA":
        return (
            f"{_name(rdata.mname)} {_name(rdata.rname)} {rdata.serial} "
            f"{rdata.refresh} {rdata.retry} {rdata.expire} {rdata.minimum}"
        )
    return rdata.to_text()


def canonical_expected(record_type: str, value: str) -> str:
    """Parse an expected value in zone-file syntax and return its canonical text.

    TXT values are taken as they are, without quotes, because a value
    longer than 255 bytes cannot be written as one zone-file string.
    Raises ``ValueError`` naming the value when it is not valid for
    ``record_type``.
    """
    if record_type == "TXT":
        return value
    try:
        rdata = dns.rdata.from_text(
            dns.rdataclass.IN,
            dns.rdatatype.from_text(record_type),
            value,
            origin=dns.name.root,
        )
    except Exception as error:
        raise ValueError(
            f"{value!r} is not a valid {record_type} value: {error}"
        ) from None
    return canonical_text(rdata)
