"""Check a server's TLS certificate: trust, hostname and days to expiry."""

from __future__ import annotations

import logging
import ssl
import time
from datetime import UTC, datetime

import pydantic

from statuscore.certificates import (
    CaPemText,
    CertificateFacts,
    HandshakeTimeout,
    describe_verify_error,
    expiry_reason,
    fetch_chain,
    read_certificate,
)
from statuscore.checkers import (
    CheckContext,
    Checker,
    Outcome,
    describe_connect_error,
)

logger = logging.getLogger(__name__)

MAX_DAYS = 3650
MAX_REMINDERS = 10
class TlsConfig(pydantic.BaseModel):
    """Configuration of a TLS certificate check."""

    model_config = pydantic.ConfigDict(extra="forbid")

    host: str = pydantic.Field(min_length=1, max_length=253)
    port: int = pydantic.Field(default=443, ge=1, le=65535)
    server_name: str | None = pydantic.Field(
        default=None,
        min_length=1,
        max_length=253,
        description=(
            "Name sent in SNI and verified against the certificate. "
            "Defaults to the host."
        ),
    )
    verify: bool = pydantic.Field(
        default=True,
        description=("Verify trust and hostname. When off, only the expiry is judged."),
    )
    trusted_ca_pem: CaPemText | None = pydantic.Field(
        default=None,
        max_length=100_000,
        description=("PEM certificates of private CAs to trust, besides the system's."),
    )
    warn_days: int = pydantic.Field(
        default=14,
        ge=0,
        le=MAX_DAYS,
        description="Report degraded when a certificate expires in fewer days.",
    )
    reminder_days: list[int] = pydantic.Field(
        default_factory=lambda: [30, 14, 7],
        max_length=MAX_REMINDERS,
        description=(
            "Days before expiry at which to send a reminder, once per "
            "certificate and threshold."
        ),
    )

    @pydantic.field_validator("reminder_days")
    @classmethod
    def _check_reminders(cls, values: list[int]) -> list[int]:
        for value in values:
            if not 1 <= value <= MAX_DAYS:
                raise ValueError(
                    f"{value} is out of range: use days from 1 to {MAX_DAYS}."
                )
        return sorted(set(values), reverse=True)

    @property
    def expected_name(self) -> str:
        return self.server_name or self.host


class TlsChecker(Checker):
    name = "tls"
    label = "TLS certificate"
    Config = TlsConfig

    async def run(self, config: TlsConfig, context: CheckContext) -> Outcome:
        """Handshake once with verification, and again without it on failure.

        Python's ``ssl`` raises during a failed verification before the
        certificate can be read, so the second handshake, which accepts
        any certificate, is what lets an expired or untrusted certificate
        report its dates.
        """
        started = time.perf_counter()
        verify_error: ssl.SSLCertVerificationError | None = None
        first_context = _verifying_context(config) if config.verify else None
        try:
            chain = await fetch_chain(
                config.host,
                config.port,
                config.expected_name,
                context.timeout,
                first_context,
            )
        except ssl.SSLCertVerificationError as error:
            verify_error = error
            logger.debug(
                "TLS check %s: verification failed: %s",
                context.check_id,
                error.verify_message,
            )
        except HandshakeTimeout as error:
            return Outcome("down", _elapsed_ms(started), str(error))
        except ssl.SSLError as error:
            reason = f"TLS handshake failed: {error.reason or error}"
            return Outcome("down", _elapsed_ms(started), reason)
        except OSError as error:
            return Outcome("down", _elapsed_ms(started), describe_connect_error(error))

        if verify_error is not None:
            remaining = max(0.1, context.timeout - (time.perf_counter() - started))
            try:
                chain = await fetch_chain(
                    config.host, config.port, config.expected_name, remaining
                )
            except (HandshakeTimeout, OSError) as error:
                # The second handshake failed where the first got through,
                # so the verification error alone gives the reason.
                logger.debug(
                    "TLS check %s: unverified handshake failed: %s",
                    context.check_id,
                    error,
                )
                chain = []

        elapsed = _elapsed_ms(started)
        return _judge(config, chain, verify_error, elapsed)


def _verifying_context(config: TlsConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if config.trusted_ca_pem:
        context.load_verify_locations(cadata=config.trusted_ca_pem)
    return context


def _judge(
    config: TlsConfig,
    chain: list[bytes],
    verify_error: ssl.SSLCertVerificationError | None,
    elapsed: float,
) -> Outcome:
    """Turn the chain and any verification error into one outcome.

    An expired certificate is named first, because renewing it is the fix
    even when OpenSSL reported another error (a self-signed certificate
    is reported as untrusted before its dates are checked).
    """
    now = datetime.now(UTC)
    details: dict = {
        "server_name": config.expected_name,
        "verified": config.verify and verify_error is None,
        "reminder_days": config.reminder_days,
    }
    if verify_error is not None:
        details["verify_error"] = verify_error.verify_message

    try:
        certificates = [read_certificate(der) for der in chain]
    except ValueError as error:
        certificates = []
        details["parse_error"] = str(error)
    if not certificates:
        reason = (
            describe_verify_error(verify_error, config.expected_name, None)
            if verify_error is not None
            else "TLS handshake completed without a peer certificate"
        )
        return Outcome("down", elapsed, reason, details)

    leaf = certificates[0]
    earliest = min(certificates, key=lambda facts: facts.not_after)
    details.update(leaf.as_details(now))
    details["names"] = list(leaf.names)
    details["chain"] = [facts.as_details(now) for facts in certificates]
    details["chain_not_after"] = earliest.not_after.isoformat()
    details["chain_days_left"] = earliest.days_left(now)

    expired = expiry_reason(certificates, now)
    if verify_error is not None:
        reason = expired or describe_verify_error(
            verify_error, config.expected_name, leaf
        )
        return Outcome("down", elapsed, reason, details)
    if expired:
        # Reachable only with verification off, and the status still
        # reports the expiry.
        return Outcome("degraded", elapsed, f"{expired} (verification off)", details)

    days_left = earliest.days_left(now)
    if days_left < config.warn_days:
        reason = f"certificate expires in {days_left} days, on {_day(earliest)}"
        if earliest is not leaf:
            reason += f" (chain certificate {earliest.subject})"
        return Outcome("degraded", elapsed, reason, details)
    return Outcome("up", elapsed, "", details)


def _day(facts: CertificateFacts) -> str:
    return f"{facts.not_after:%Y-%m-%d}"


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
