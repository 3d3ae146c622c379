"""TLS servers on 127.0.0.1 and the certificates they serve, made in the test."""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.plugins.servers import ThreadedListener

HOST = "127.0.0.1"


def leaf_context(leaf: trustme.LeafCert) -> ssl.SSLContext:
    """Return a server context that presents ``leaf`` and its chain."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(context)
    return context


def self_signed_context(
    directory: Path, name: str, not_before: datetime, not_after: datetime
) -> ssl.SSLContext:
    """Return a server context with a self-signed certificate for ``name``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / f"{name}.pem"
    key_path = directory / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def days_from_now(days: float) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


class TlsServer(ThreadedListener):
    """Serve TLS handshakes on an ephemeral port of 127.0.0.1.

    ``by_server_name`` maps an SNI name to the context whose certificate is
    served for it; any other name, or none, gets ``default``. Each
    connection is held until the client closes it.
    """

    def __init__(
        self,
        default: ssl.SSLContext,
        by_server_name: dict[str, ssl.SSLContext] | None = None,
    ) -> None:
        self.default = default
        self.by_server_name = by_server_name or {}
        self.server_names: list[str | None] = []
        default.sni_callback = self._select_context

        super().__init__()

    def _select_context(
        self, ssl_socket: ssl.SSLSocket, server_name: str | None, _: ssl.SSLContext
    ) -> None:
        self.server_names.append(server_name)
        if server_name in self.by_server_name:
            ssl_socket.context = self.by_server_name[server_name]

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        try:
            with self.default.wrap_socket(connection, server_side=True) as tls:
                while tls.recv(1024):
                    pass
        except (OSError, ssl.SSLError):
            # Clients that reject the certificate abort the handshake.
            pass
        finally:
            connection.close()
