"""Send a message as one email over SMTP.

The SMTP server comes from Django's settings (``EMAIL_HOST``,
``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``,
``EMAIL_USE_TLS``, ``EMAIL_USE_SSL``, ``EMAIL_TIMEOUT``) and the sender
from ``DEFAULT_FROM_EMAIL``. The connection is opened here with those
settings rather than through ``EMAIL_BACKEND``, so a console backend set
for development never swallows subscriber mail.

NOTE: this notifier uses Django's email API, not apprise. apprise 2.3's
email plugin adds its own random Message-ID after any custom headers, so a
Message-ID derived from the delivery key would appear twice. It also builds
the plain-text part by converting the HTML part, so the text template would
never be sent. Other providers (SendGrid, Mailgun, SES) remain reachable
through the ``apprise`` notifier with their apprise URLs.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Iterator

import pydantic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend
from django.core.validators import validate_email

from plugins.email.headers import message_id, one_line
from statuscore.exceptions import NotificationFailed
from statuscore.notifiers import Message, Notifier

__all__ = ["EmailConfig", "EmailNotifier"]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30


class EmailConfig(pydantic.BaseModel):
    """The address one email goes to."""

    model_config = pydantic.ConfigDict(extra="forbid")

    to: str = pydantic.Field(max_length=254, description="Recipient email address.")

    @pydantic.field_validator("to")
    @classmethod
    def _valid_address(cls, value: str) -> str:
        value = value.strip()
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("Enter a valid email address.") from None
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"


def _sender_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"


def _headers(message: Message) -> dict[str, str]:
    """Return the extra headers: Message-ID and RFC 8058 unsubscribe headers.

    RFC 8058 allows exactly one HTTPS URI in ``List-Unsubscribe`` and sends
    the one-click POST to it, so the POST URL is used when there is one and
    the unsubscribe page's URL otherwise.
    """
    headers: dict[str, str] = {}
    if message.key:
        headers["Message-ID"] = message_id(message.key, _sender_domain())
    if message.unsubscribe_post_url:
        headers["List-Unsubscribe"] = f"<{one_line(message.unsubscribe_post_url)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    elif message.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{one_line(message.unsubscribe_url)}>"
    return headers


def _connection() -> BaseEmailBackend:
    """Return a connection to the SMTP server of the ``EMAIL_*`` settings.

    Without ``EMAIL_HOST``, a development site (``DEBUG`` on) uses Django's
    ``EMAIL_BACKEND`` instead, which ``make run`` sets to print messages on
    the console, so confirmation links can be followed locally. A
    production site fails each message with the setting named, and the
    delivery log shows it.
    """
    if not getattr(settings, "EMAIL_HOST", ""):
        if settings.DEBUG:
            return get_connection(fail_silently=False)
        raise NotificationFailed(
            "EMAIL_HOST is not set: set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, "
            "EMAIL_HOST_PASSWORD as needed) to send email."
        )
    return EmailBackend(
        host=settings.EMAIL_HOST,
        port=settings.EMAIL_PORT,
        username=settings.EMAIL_HOST_USER,
        password=settings.EMAIL_HOST_PASSWORD,
        use_tls=settings.EMAIL_USE_TLS,
        use_ssl=settings.EMAIL_USE_SSL,
        timeout=getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_TIMEOUT,
        fail_silently=False,
    )


def _close(connection: BaseEmailBackend) -> None:
    """Close ``connection``, ignoring errors: every message sent over it
    already has its outcome."""
    try:
        connection.close()
    except (smtplib.SMTPException, OSError) as error:
        logger.debug("Closing the SMTP connection failed: %s", error)


def _email(
    config: EmailConfig, message: Message, connection: BaseEmailBackend
) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=one_line(message.subject),
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[config.to],
        headers=_headers(message),
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


def _failure(error: Exception) -> NotificationFailed:
    """Translate an SMTP error into ``NotificationFailed``.

    Only a 5xx refusal of the recipient or of the message is permanent.
    A refused sender or login is the operator's configuration, so it stays
    temporary and no subscriber is disabled for it.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (0, b""))
        reason = f"recipient refused: {code} {_text(reply)}"
        return NotificationFailed(reason, permanent=500 <= code < 600)
    if isinstance(error, smtplib.SMTPDataError):
        reason = f"message refused: {error.smtp_code} {_text(error.smtp_error)}"
        return NotificationFailed(reason, permanent=500 <= error.smtp_code < 600)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return NotificationFailed(f"SMTP login failed: {error.smtp_code}")
    if isinstance(error, smtplib.SMTPException):
        return NotificationFailed(f"SMTP error: {error}")
    return NotificationFailed(f"SMTP connection failed: {error}")


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


class EmailNotifier(Notifier):
    """Email through the SMTP server in Django's settings."""

    name = "email"
    label = "Email"
    Config = EmailConfig
    subscribable = True
    confirmation = "link"

    def send(self, config: EmailConfig, message: Message) -> None:
        """Send ``message`` as a plain-text email, with an HTML alternative
        when ``message.html`` is set.

        Raises ``NotificationFailed``: permanent when the server refuses
        the recipient or the message with a 5xx reply, temporary otherwise.
        """
        failure = next(self.send_many([(config, message)]))
        if failure is not None:
            raise failure

    def send_many(
        self, batch: Iterable[tuple[EmailConfig, Message]]
    ) -> Iterator[NotificationFailed | None]:
        """Send each message of ``batch`` as in :meth:`send`, over one SMTP
        connection, and yield each outcome before sending the next.

        A refused recipient or message leaves the connection open for the
        next one. Any other error closes it, and the next message opens a
        new one. When the connection cannot be opened, the remaining
        messages fail as temporary without another attempt each, so an
        unreachable server costs one timeout per batch, not one per message.
        """
        try:
            connection = _connection()
        except NotificationFailed as failure:
            for _ in batch:
                yield failure
            return

        unreachable: NotificationFailed | None = None
        try:
            for config, message in batch:
                if unreachable is not None:
                    yield unreachable
                    continue
                email = _email(config, message, connection)
                try:
                    connection.open()
                except (smtplib.SMTPException, OSError) as error:
                    unreachable = self._failed(config, message, error)
                    yield unreachable
                    continue
                try:
                    email.send()
                except (smtplib.SMTPException, OSError) as error:
                    if not isinstance(error, smtplib.SMTPRecipientsRefused):
                        _close(connection)
                    yield self._failed(config, message, error)
                    continue
                logger.info(
                    "Email %s sent to %s", message.key or "-", self.describe(config)
                )
                yield None
        finally:
            _close(connection)

    def _failed(
        self, config: EmailConfig, message: Message, error: Exception
    ) -> NotificationFailed:
        failure = _failure(error)
        failure.__cause__ = error
        logger.warning(
            "Email %s to %s failed (%s): %s",
            message.key or "-",
            self.describe(config),
            "permanent" if failure.permanent else "temporary",
            failure.reason,
        )
        return failure

    def address(self, config: EmailConfig) -> str:
        return config.to.lower()

    def describe(self, config: EmailConfig) -> str:
        """Return the address with its local part shortened to one letter."""
        local, _, domain = config.to.rpartition("@")
        return f"{local[:1]}•••@{domain}"
