"""Send one message through an apprise URL, with a plain-text fallback.

Templates give plain text, and apprise 2.3 encodes it for each channel when
the body format is ``text``: it escapes ``&``, ``<`` and ``>`` for Slack
mrkdwn and every reserved character for Telegram MarkdownV2. Text must
therefore reach apprise unescaped, or it would be escaped twice.

A channel that rejects the formatted message (Telegram replies with HTTP 400 to
MarkdownV2 it cannot parse) gets it once more through ``plain_url``, which
turns formatting off. The failure is logged, and the caller's other
channels are unaffected because each delivery is sent on its own.
"""

from __future__ import annotations

import logging

import apprise

from statuscore.exceptions import NotificationFailed

__all__ = ["notify", "recognised"]

logger = logging.getLogger(__name__)


def recognised(url: str) -> bool:
    """Return whether apprise has a plugin that accepts ``url``."""
    return apprise.Apprise.instantiate(url, suppress_exceptions=True) is not None


def _send(url: str, title: str, body: str) -> tuple[bool, str]:
    sender = apprise.Apprise()
    if not sender.add(url):
        return False, "apprise does not recognise the URL"
    result = sender.notify(
        body=body, title=title, body_format=apprise.NotifyFormat.TEXT
    )
    if result:
        return True, ""
    warnings = [
        entry.message
        for entry in result.logs()
        if str(entry.level).lower() in ("warning", "error", "critical")
    ]
    return False, "; ".join(warnings[-2:]) or "apprise reported a failure"


def notify(url: str, *, title: str, body: str, label: str, plain_url: str = "") -> None:
    """Send ``title`` and ``body`` to ``url``; raise ``NotificationFailed``.

    ``label`` names the target in logs, without secrets. When the send
    fails and ``plain_url`` is given, the message is sent once more through
    it before the failure is raised.

    NOTE: apprise reports success or failure but not the HTTP status, so
    every failure here is temporary. A revoked token is therefore retried
    until the delivery's attempts run out instead of failing at once.
    """
    sent, reason = _send(url, title, body)
    if sent:
        logger.info("Sent to %s", label)
        return
    if plain_url:
        logger.warning(
            "%s rejected the formatted message (%s); sending it as plain text",
            label,
            reason,
        )
        sent, reason = _send(plain_url, title, body)
        if sent:
            logger.info("Sent to %s as plain text", label)
            return
    logger.warning("Sending to %s failed: %s", label, reason)
    raise NotificationFailed(f"{label}: {reason}")
