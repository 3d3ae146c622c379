"""POST a message as signed JSON to a URL the recipient chose.

The target URL is user input, so it passes the network policy of
``statuscore.netsafety`` (no link-local or metadata addresses; private
ones only with ``STATUSCORE_ALLOW_PRIVATE_TARGETS``). The host is resolved
once and the request goes to an allowed address, with the host name kept
for the Host header and TLS, so a DNS answer that changes after the check
cannot redirect it. Redirects are not followed for the same reason.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import secrets
import socket
import time
from urllib.parse import urlsplit, urlunsplit

import httpx
import pydantic

from statuscore.conf import get_settings
from statuscore.exceptions import CheckFailed, NotificationFailed
from statuscore.netsafety import address_rejection, resolve_target
from statuscore.notifiers import Message, Notifier

from plugins.webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

__all__ = ["WebhookConfig", "WebhookNotifier"]

logger = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
IDEMPOTENCY_HEADER = "Idempotency-Key"
USER_AGENT = "statuspage-webhook/1"


class WebhookConfig(pydantic.BaseModel):
    """Where to POST, and the shared secret that signs each request."""

    model_config = pydantic.ConfigDict(extra="forbid")

    url: pydantic.AnyHttpUrl = pydantic.Field(
        description="http or https URL to POST to."
    )
    secret: pydantic.SecretStr | None = pydantic.Field(
        default=None,
        description="HMAC-SHA256 signing secret, 16 characters or more.",
    )

    @pydantic.field_validator("url")
    @classmethod
    def _allowed_literal_address(
        cls, value: pydantic.AnyHttpUrl
    ) -> pydantic.AnyHttpUrl:
        host = (value.host or "").strip("[]")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return value
        rejection = address_rejection(address, get_settings().allow_private_targets)
        if rejection:
            raise ValueError(f"The URL's address is not allowed: {rejection}.")
        return value

    @pydantic.field_validator("secret")
    @classmethod
    def _long_secret(
        cls, value: pydantic.SecretStr | None
    ) -> pydantic.SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("The secret must be at least 16 characters long.")
        return value


def _resolve(url: str) -> tuple[str, str, int]:
    """Return the host, an allowed address and the port of ``url``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = asyncio.run(resolve_target(host, port))
    except CheckFailed as error:
        raise NotificationFailed(
            f"webhook target rejected: {error.reason}", permanent=True
        ) from error
    except (socket.gaierror, OSError) as error:
        raise NotificationFailed(f"DNS lookup of {host} failed: {error}") from error
    return host, addresses[0], port


def _pinned_url(url: str, address: str, port: int) -> str:
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    return urlunsplit(
        (parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, "")
    )


def _failure_for_status(status: int) -> NotificationFailed:
    """Map a non-2xx reply: 4xx (but 408 and 429) and 3xx are permanent."""
    if status in (408, 429) or status >= 500:
        return NotificationFailed(f"webhook answered HTTP {status}")
    return NotificationFailed(f"webhook answered HTTP {status}", permanent=True)


class WebhookNotifier(Notifier):
    """Signed JSON POSTed to any http or https URL."""

    name = "webhook"
    label = "Webhook"
    Config = WebhookConfig
    subscribable = True
    confirmation = "call"

    def send(self, config: WebhookConfig, message: Message) -> None:
        """POST ``message`` as JSON; raise ``NotificationFailed`` unless 2xx.

        4xx replies other than 408 and 429 are permanent failures, and so
        are redirects and rejected targets. 5xx replies, timeouts and
        connection errors are temporary.
        """
        body = {
            "type": message.event_kind,
            "key": message.key,
            "subject": message.subject,
            "text": message.text,
            "url": message.url,
            "language": message.language,
            **message.payload,
        }
        self._post(config, body, message.key)

    def verify(self, config: WebhookConfig) -> None:
        """POST a ``webhook.verification`` request before the webhook is used.

        The target shows it accepts deliveries by replying with 2xx. Any
        other outcome raises ``NotificationFailed``.
        """
        challenge = secrets.token_urlsafe(16)
        body = {
            "type": "webhook.verification",
            "key": f"verify:{challenge}",
            "challenge": challenge,
        }
        self._post(config, body, body["key"])

    def _post(self, config: WebhookConfig, payload: dict, key: str) -> None:
        url = str(config.url)
        host, address, port = _resolve(url)
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Host": host if port in (80, 443) else f"{host}:{port}",
        }
        if key:
            headers[IDEMPOTENCY_HEADER] = key
        if config.secret is not None:
            timestamp = int(time.time())
            headers[TIMESTAMP_HEADER] = str(timestamp)
            headers[SIGNATURE_HEADER] = sign(
                config.secret.get_secret_value(), timestamp, body
            )

        try:
            with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
                response = client.post(
                    _pinned_url(url, address, port),
                    content=body,
                    headers=headers,
                    extensions={"sni_hostname": host},
                )
        except httpx.HTTPError as error:
            logger.warning(
                "Webhook %s to %s failed: %r", key or "-", self.describe(config), error
            )
            raise NotificationFailed(f"webhook request failed: {error!r}") from error

        if not response.is_success:
            failure = _failure_for_status(response.status_code)
            logger.warning(
                "Webhook %s to %s: %s",
                key or "-",
                self.describe(config),
                failure.reason,
            )
            logger.debug("Webhook reply body: %.500s", response.text)
            raise failure
        logger.info("Webhook %s sent to %s", key or "-", self.describe(config))

    def address(self, config: WebhookConfig) -> str:
        return str(config.url)

    def describe(self, config: WebhookConfig) -> str:
        """Return the URL's scheme, host and port; the path may hold a token."""
        parts = urlsplit(str(config.url))
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}/…"
