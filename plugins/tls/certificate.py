"""Read the facts a status check needs from DER-encoded certificates."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes

# The ``_ssl`` constant for DER, which the ``ssl`` module does not export.
_ENCODING_DER = 2


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
