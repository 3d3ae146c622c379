"""Read the facts a status check needs from TLS certificates.

The TLS, TCP and HTTP checkers share these functions, so all three describe
an expired, untrusted or misnamed certificate in the same words.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

import pydantic
from cryptography import x509
from cryptography.hazmat.primitives import hashes

__all__ = [
    "CaPemText",
    "CertificateFacts",
    "HandshakeTimeout",
    "describe_verify_error",
    "expiry_reason",
    "fetch_chain",
    "inspecting_context",
    "peer_chain",
    "read_certificate",
    "validate_ca_pem",
]

def validate_ca_pem(value: str) -> str:
    """Return ``value`` if it contains one or more PEM certificates, else raise
    ``ValueError`` with the parser's reason."""
    try:
        x509.load_pem_x509_certificates(value.encode())
    except ValueError as error:
        raise ValueError(f"Invalid PEM certificate: {error}") from None
    return value


CaPemText = Annotated[str, pydantic.AfterValidator(validate_ca_pem)]
"""PEM text of private CA certificates, checked when a configuration is saved."""


# The ``_ssl`` constant for DER, which the ``ssl`` module does not export.
_ENCODING_DER = 2

# Time allowed for the TLS close after the certificate has been read.
CLOSE_SECONDS = 0.5

# OpenSSL verify codes (include/openssl/x509_vfy.h) that mean the chain
# does not lead to a trusted root.
_UNTRUSTED_CODES = {
    2,  # unable to get issuer certificate
    18,  # self-signed certificate
    19,  # self-signed certificate in certificate chain
    20,  # unable to get local issuer certificate
    21,  # unable to verify the first certificate
}
_HOSTNAME_MISMATCH_CODE = 62


class HandshakeTimeout(Exception):
    """The connect or the TLS handshake ran out of time."""


@dataclass(frozen=True)
class CertificateFacts:
    """Dates, names and fingerprint of one certificate."""

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    names: tuple[str, ...]

    def days_left(self, now: datetime) -> int:
        """Return whole days until expiry, rounded down; negative once expired."""
        return (self.not_after - now) // timedelta(days=1)

    def as_details(self, now: datetime) -> dict:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_after": self.not_after.isoformat(),
            "days_left": self.days_left(now),
            "fingerprint_sha256": self.fingerprint_sha256,
        }


def read_certificate(der: bytes) -> CertificateFacts:
    """Parse one DER certificate; raises ``ValueError`` when it is malformed."""
    certificate = x509.load_der_x509_certificate(der)
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        names=_subject_alternative_names(certificate),
    )


def _subject_alternative_names(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        extension = certificate.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        )
    except x509.ExtensionNotFound:
        return ()
    names = extension.value.get_values_for_type(x509.DNSName)
    addresses = extension.value.get_values_for_type(x509.IPAddress)
    return tuple(names) + tuple(str(address) for address in addresses)


def peer_chain(ssl_object: ssl.SSLObject, verified: bool) -> list[bytes]:
    """Return the peer's certificates as DER, leaf first.

    ``verified`` selects the chain OpenSSL built up to a trusted root;
    otherwise the chain is the one the server sent. Python 3.13 has public
    methods for both. Older versions have them only on the private
    ``_sslobj`` (since 3.10), and without either only the leaf is returned.
    """
    method = "get_verified_chain" if verified else "get_unverified_chain"
    public = getattr(ssl_object, method, None)
    if public is not None:
        return list(public() or [])

    # NOTE: a private CPython API, used only before Python 3.13.
    private = getattr(getattr(ssl_object, "_sslobj", None), method, None)
    if private is not None:
        chain = private() or []
        return [certificate.public_bytes(_ENCODING_DER) for certificate in chain]

    leaf = ssl_object.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def expiry_reason(certificates: list[CertificateFacts], now: datetime) -> str:
    """Return why the chain's dates make it invalid at ``now``, or "".

    ``certificates`` is the chain, leaf first, and must not be empty.
    """
    leaf = certificates[0]
    if leaf.not_after < now:
        return f"certificate expired on {leaf.not_after:%Y-%m-%d}"
    if leaf.not_before > now:
        return f"certificate not valid before {leaf.not_before:%Y-%m-%d}"
    for facts in certificates[1:]:
        if facts.not_after < now:
            return (
                f"chain certificate {facts.subject} expired on "
                f"{facts.not_after:%Y-%m-%d}"
            )
    return ""


def describe_verify_error(
    error: ssl.SSLCertVerificationError,
    server_name: str,
    leaf: CertificateFacts | None,
) -> str:
    """Name a failed verification: hostname mismatch, not trusted or other.

    ``leaf`` is the certificate read by an unverified handshake, used to
    list the names the certificate is for; without it they are not shown.
    """
    if error.verify_code == _HOSTNAME_MISMATCH_CODE:
        names = ", ".join(leaf.names) if leaf and leaf.names else "other names"
        return f"hostname mismatch: certificate is for {names}, not {server_name}"
    if error.verify_code in _UNTRUSTED_CODES:
        return f"certificate not trusted: {error.verify_message}"
    return f"certificate verify failed: {error.verify_message}"


def inspecting_context() -> ssl.SSLContext:
    """Return a context that accepts any certificate, only to read it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def fetch_chain(
    host: str,
    port: int,
    server_name: str,
    timeout: float,
    verifying: ssl.SSLContext | None = None,
) -> list[bytes]:
    """Connect, handshake with SNI and return the peer's chain as DER, leaf first.

    With ``verifying`` set, the chain is the one OpenSSL verified, and a
    failed verification raises ``ssl.SSLCertVerificationError``. Without
    it, any certificate is accepted and the chain is the one the server
    sent. Raises ``HandshakeTimeout`` when ``timeout`` (seconds, for the
    connect and the handshake together) runs out, and ``OSError`` or
    ``ssl.SSLError`` when the connect or handshake fails.
    """
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        raise HandshakeTimeout("connect timeout") from None

    try:
        remaining = timeout - (time.perf_counter() - started)
        try:
            async with asyncio.timeout(max(0.05, remaining)):
                await writer.start_tls(
                    verifying or inspecting_context(),
                    server_hostname=server_name,
                )
        except TimeoutError:
            raise HandshakeTimeout(
                f"TLS handshake timed out after {timeout:g} s"
            ) from None

        ssl_object = writer.get_extra_info("ssl_object")
        return peer_chain(ssl_object, verified=verifying is not None)
    finally:
        writer.close()
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await writer.wait_closed()
        except (TimeoutError, OSError, ssl.SSLError):
            pass
