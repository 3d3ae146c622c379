"""Render events and confirmations into channel-neutral messages.

Each message part is a Django template under
``statuscore/templates/statuscore/messages/``. For an event of kind
``incident.created`` sent through the ``email`` notifier, the subject is
the first of these that exists:

1. ``messages/incident.created/email/subject.txt``
2. ``messages/incident.created/subject.txt``
3. ``messages/default/email/subject.txt``
4. ``messages/default/subject.txt``

so a kind without templates of its own falls back to the generic ones, and
a project can override any part for one channel. The parts are
``subject.txt``, ``text.txt`` (the plain body), ``short.txt`` (SMS, cut to
160 characters with the link kept whole) and ``email.html`` (rendered only
for the email notifier). The HTML of incident and maintenance messages
renders the editor's Markdown with the ``markdown`` filter
(``statuscore.markup.render_markdown``), which escapes raw HTML and keeps
only http, https and mailto links; names stay autoescaped.

Messages are rendered in the recipient's language, else the page's, with
the catalogues in ``statuscore/locale``. Text templates switch
autoescaping off, because their output is plain text; each notifier then
encodes it for its channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.template.loader import select_template
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from statuscore.events import Event
from statuscore.models import IncidentUpdate, Maintenance, MaintenanceUpdate, Page
from statuscore.notifiers import Message, Notifier

__all__ = [
    "SHORT_LIMIT",
    "MessageRenderer",
    "render_confirmation",
    "render_message",
    "shorten",
]

logger = logging.getLogger(__name__)

SHORT_LIMIT = 160
"""Characters in one SMS segment of the GSM 03.38 alphabet."""

TEMPLATE_ROOT = "statuscore/messages"

STATUS_LABELS = {
    "operational": pgettext_lazy("status", "Operational"),
    "degraded_performance": pgettext_lazy("status", "Degraded performance"),
    "partial_outage": pgettext_lazy("status", "Partial outage"),
    "major_outage": pgettext_lazy("status", "Major outage"),
    "under_maintenance": pgettext_lazy("status", "Under maintenance"),
    "investigating": pgettext_lazy("status", "Investigating"),
    "identified": pgettext_lazy("status", "Identified"),
    "monitoring": pgettext_lazy("status", "Monitoring"),
    "resolved": pgettext_lazy("status", "Resolved"),
    "unknown": pgettext_lazy("status", "Unknown"),
    "up": pgettext_lazy("status", "Up"),
    "degraded": pgettext_lazy("status", "Degraded"),
    "down": pgettext_lazy("status", "Down"),
}

KIND_LABELS = {
    "component.status_changed": _("Component status changed"),
    "check.state_changed": _("Check state changed"),
    "certificate.expiring": _("Certificate expiring"),
    "check.flapping": _("Check is flapping"),
    "check.flapping_ended": _("Check stopped flapping"),
    "incident.created": _("New incident"),
    "incident.updated": _("Incident updated"),
    "incident.resolved": _("Incident resolved"),
    "incident.published": _("New incident"),
    "incident.edited": _("Incident corrected"),
    "incident.deleted": _("Incident deleted"),
    "incident.update_edited": _("Incident update corrected"),
    "incident.update_deleted": _("Incident update deleted"),
    "maintenance.scheduled": _("Maintenance scheduled"),
    "maintenance.updated": _("Maintenance changed"),
    "maintenance.reminder": _("Maintenance starts soon"),
    "maintenance.started": _("Maintenance started"),
    "maintenance.completed": _("Maintenance completed"),
    "maintenance.cancelled": _("Maintenance cancelled"),
    "maintenance.update_posted": _("Maintenance update"),
    "maintenance.deleted": _("Maintenance deleted"),
    "maintenance_series.created": _("Recurring maintenance created"),
    "maintenance_series.updated": _("Recurring maintenance changed"),
    "maintenance_series.ended": _("Recurring maintenance ended"),
}

MAINTENANCE_TIME_FORMAT = "%Y-%m-%d %H:%M %Z"


def _template_names(kind: str, channel: str, part: str) -> list[str]:
    return [
        f"{TEMPLATE_ROOT}/{kind}/{channel}/{part}",
        f"{TEMPLATE_ROOT}/{kind}/{part}",
        f"{TEMPLATE_ROOT}/default/{channel}/{part}",
        f"{TEMPLATE_ROOT}/default/{part}",
    ]


def _render(kind: str, channel: str, part: str, context: dict[str, Any]) -> str:
    return select_template(_template_names(kind, channel, part)).render(context)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, url: str = "", limit: int = SHORT_LIMIT) -> str:
    """Return ``text`` and ``url`` on one line in at most ``limit`` characters.

    The text is cut at a word boundary and marked with "...". The URL is
    kept whole, because a cut link is useless. A URL longer than half the
    limit is left out.
    """
    text = _one_line(text)
    if url and len(url) <= limit // 2:
        room = limit - len(url) - 1
        return f"{_cut(text, room)} {url}".strip()
    return _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit - 3]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,.;:-") + "..."


def _language(language: str | None, page: Page) -> str:
    return language or page.language or settings.LANGUAGE_CODE


def _update_body(payload: dict) -> str:
    update_id = payload.get("update_id")
    if not update_id:
        return ""
    body = (
        IncidentUpdate.objects.filter(pk=update_id)
        .values_list("body", flat=True)
        .first()
    )
    return body or ""


def _maintenance_update_body(payload: dict) -> str:
    update_id = payload.get("update_id")
    if not update_id:
        return ""
    body = (
        MaintenanceUpdate.objects.filter(pk=update_id)
        .values_list("body", flat=True)
        .first()
    )
    return body or ""


def _maintenance_body(payload: dict) -> str:
    maintenance_id = payload.get("maintenance_id")
    if not maintenance_id:
        return ""
    body = (
        Maintenance.objects.filter(pk=maintenance_id)
        .values_list("body", flat=True)
        .first()
    )
    return body or ""


def _page_time(value: str, page: Page) -> str:
    """Return an ISO 8601 time from a payload as text in the page's zone."""
    try:
        moment = datetime.fromisoformat(value)
        zone = ZoneInfo(page.time_zone or "UTC")
    except (TypeError, ValueError, ZoneInfoNotFoundError):
        return value or ""
    return moment.astimezone(zone).strftime(MAINTENANCE_TIME_FORMAT)


def _event_context(event: Event, page: Page, links: dict[str, str]) -> dict[str, Any]:
    payload = event.payload
    context: dict[str, Any] = {
        "page_name": page.name,
        "kind": event.kind,
        "kind_label": KIND_LABELS.get(event.kind, event.kind),
        "payload": payload,
        "url": links.get("url") or page.url,
        "unsubscribe_url": links.get("unsubscribe_url", ""),
        "manage_url": links.get("manage_url", ""),
        "subject_name": (
            payload.get("name")
            or payload.get("component_name")
            or payload.get("check_name")
            or payload.get("server_name")
            or ""
        ),
    }
    for field in ("status", "old_status", "new_status", "old_state", "new_state"):
        if field in payload:
            context[f"{field}_label"] = STATUS_LABELS.get(
                payload[field], payload[field]
            )
    if event.kind.startswith("incident."):
        context["update_body"] = _update_body(payload)
    if event.kind.startswith("maintenance."):
        context["maintenance_body"] = _maintenance_body(payload)
        context["update_body"] = _maintenance_update_body(payload)
        context["starts_at_text"] = _page_time(payload.get("starts_at", ""), page)
        context["ends_at_text"] = _page_time(payload.get("ends_at", ""), page)
    return context


def _message_payload(event: Event, page: Page) -> dict[str, Any]:
    return {
        "event": {
            "id": event.id,
            "kind": event.kind,
            "created_at": event.created_at.isoformat(),
            "data": event.payload,
        },
        "page": {"id": page.pk, "name": page.name, "url": page.url},
    }


def _render_parts(
    kind: str, notifier: type[Notifier], context: dict[str, Any]
) -> dict[str, str]:
    channel = notifier.name
    subject = _one_line(_render(kind, channel, "subject.txt", context))
    context = {**context, "subject": subject}
    text = _render(kind, channel, "text.txt", context).strip() + "\n"
    context["body"] = text
    short = shorten(_render(kind, channel, "short.txt", context), context["url"])
    html = ""
    if channel == "email":
        context["footer"] = _render(kind, channel, "email_footer.txt", context).strip()
        html = _render(kind, channel, "email.html", context)
    return {"subject": subject, "text": text, "short": short, "html": html}


def render_message(
    event: Event,
    page: Page,
    notifier: type[Notifier],
    *,
    language: str | None = None,
    links: dict[str, str] | None = None,
    key: str = "",
) -> Message:
    """Render ``event`` for one recipient on ``notifier``'s channel.

    ``language`` is the recipient's language; without it the page's is
    used. ``links`` may contain "url" (defaults to the page's URL),
    "unsubscribe_url", "unsubscribe_post_url" and "manage_url". ``key`` is
    the delivery's idempotency key, passed on in the message.
    """
    links = links or {}
    language = _language(language, page)
    with translation.override(language):
        context = _event_context(event, page, links)
        parts = _render_parts(event.kind, notifier, context)
    return Message(
        event_kind=event.kind,
        url=context["url"],
        unsubscribe_url=links.get("unsubscribe_url", ""),
        unsubscribe_post_url=links.get("unsubscribe_post_url", ""),
        key=key,
        language=language,
        payload=_message_payload(event, page),
        **parts,
    )


RECIPIENT_LINKS = ("unsubscribe_url", "unsubscribe_post_url", "manage_url")
"""Links that differ for each recipient of an event, because they carry the
recipient's signed token."""

_PARTS = ("subject", "text", "short", "html")


@dataclass
class _Rendered:
    message: Message
    links: dict[str, str]
    verified: bool = False


class MessageRenderer:
    """Render events for many recipients, running the templates once per
    event, notifier, language and set of links.

    The recipients of one event in one language see the same message
    except for their own links (:data:`RECIPIENT_LINKS`) and key. The first
    recipient's message is rendered in full. For each later recipient the
    first recipient's links in that message are replaced with theirs,
    HTML-escaped in the HTML part. The second recipient is also rendered in
    full and compared with the copy. If they differ, because a template
    changes the links (a filter that cuts or encodes them, say), every
    recipient of that group is rendered in full. Use one renderer per
    batch, so an edited template or incident update is read again.
    """

    def __init__(self) -> None:
        self._groups: dict[tuple, _Rendered | None] = {}

    def render(
        self,
        event: Event,
        page: Page,
        notifier: type[Notifier],
        *,
        language: str | None = None,
        links: dict[str, str] | None = None,
        key: str = "",
    ) -> Message:
        """Return what :func:`render_message` returns for these arguments."""
        links = {name: value for name, value in (links or {}).items() if value}
        language = _language(language, page)
        shared_links = sorted(
            (name, value)
            for name, value in links.items()
            if name not in RECIPIENT_LINKS
        )
        group = (event.id, page.pk, notifier.name, language, *shared_links)
        group += tuple(sorted(name for name in links if name in RECIPIENT_LINKS))

        def full() -> Message:
            return render_message(
                event, page, notifier, language=language, links=links, key=key
            )

        if group not in self._groups:
            message = full()
            self._groups[group] = _Rendered(message, links)
            return message
        rendered = self._groups[group]
        if rendered is None:
            return full()

        copied = _with_links(rendered, links, key)
        if rendered.verified:
            return copied
        message = full()
        if [getattr(message, part) for part in _PARTS] == [
            getattr(copied, part) for part in _PARTS
        ]:
            rendered.verified = True
        else:
            logger.info(
                "Templates of %s for %s change the recipient's links; rendering "
                "each message of event %s in full",
                event.kind,
                notifier.name,
                event.id,
            )
            self._groups[group] = None
        return message


def _with_links(rendered: _Rendered, links: dict[str, str], key: str) -> Message:
    """Return the rendered message with its recipient's links replaced by
    ``links``, longest first so that no link is replaced inside another."""
    parts = {part: getattr(rendered.message, part) for part in _PARTS}
    names = sorted(
        rendered.links.keys() & RECIPIENT_LINKS,
        key=lambda name: -len(rendered.links[name]),
    )
    for name in names:
        old, new = rendered.links[name], links[name]
        for part in ("subject", "text", "short"):
            parts[part] = parts[part].replace(old, new)
        parts["html"] = parts["html"].replace(escape(old), escape(new))
    return rendered.message.model_copy(
        update={
            **parts,
            "key": key,
            "unsubscribe_url": links.get("unsubscribe_url", ""),
            "unsubscribe_post_url": links.get("unsubscribe_post_url", ""),
        }
    )


def render_confirmation(
    page: Page,
    notifier: type[Notifier],
    *,
    language: str | None,
    confirm_url: str = "",
    code: str = "",
) -> Message:
    """Render the message that requests a new subscriber's confirmation.

    A link-confirmed channel (email) gets ``confirm_url``, which opens a
    page whose button confirms. A code-confirmed channel (SMS) gets
    ``code`` to type back on the page.
    """
    language = _language(language, page)
    context = {
        "page_name": page.name,
        "url": confirm_url,
        "confirm_url": confirm_url,
        "code": code,
        "manage_url": "",
        "unsubscribe_url": "",
    }
    with translation.override(language):
        # The email's button opens the confirmation page, so its label names it.
        context["button_label"] = translation.gettext(
            "Confirm your subscription to %(page_name)s"
        ) % {"page_name": page.name}
        parts = _render_parts("confirmation", notifier, context)
    return Message(
        event_kind="subscription.confirmation",
        url=confirm_url,
        language=language,
        payload={"page": {"id": page.pk, "name": page.name, "url": page.url}},
        **parts,
    )
