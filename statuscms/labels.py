"""Visitor-facing words for values that ``statuscore`` keeps in English.

The overall sentence of a page, such as "All Systems Operational", is part
of the Statuspage-compatible v2 JSON and stays English there. The public
pages show it in the visitor's language through :func:`status_sentence`.
Notifier plugins name themselves and their settings in English for the
admin; the subscribe forms show those names through :func:`notifier_label`
and :func:`target_label`.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from statuscore.status import DEGRADED_DESCRIPTION, DESCRIPTIONS, PageStatus

__all__ = [
    "NOTIFIER_LABELS",
    "STATUS_SENTENCES",
    "notifier_label",
    "status_sentence",
    "target_label",
]

STATUS_SENTENCES = {
    DESCRIPTIONS["none"]: pgettext_lazy("overall status", "All Systems Operational"),
    DESCRIPTIONS["maintenance"]: pgettext_lazy(
        "overall status", "Service Under Maintenance"
    ),
    DESCRIPTIONS["minor"]: pgettext_lazy("overall status", "Minor Service Outage"),
    DESCRIPTIONS["major"]: pgettext_lazy("overall status", "Partial System Outage"),
    DESCRIPTIONS["critical"]: pgettext_lazy("overall status", "Major System Outage"),
    DEGRADED_DESCRIPTION: pgettext_lazy("overall status", "Partially Degraded Service"),
}


def status_sentence(status: PageStatus) -> str:
    """Return the page's overall sentence in the active language.

    A sentence with no translation here is returned as ``statuscore`` wrote it.
    """
    return str(STATUS_SENTENCES.get(status.description, status.description))


# Names of the built-in notifiers as a visitor reads them in "Subscribe by
# ...". A notifier missing here, such as a third-party one, shows its own
# label.
NOTIFIER_LABELS = {
    "email": pgettext_lazy("subscribe by", "Email"),
    "sms": pgettext_lazy("subscribe by", "Text message (SMS)"),
    "webhook": pgettext_lazy("subscribe by", "Webhook"),
    "slack": pgettext_lazy("subscribe by", "Slack"),
    "discord": pgettext_lazy("subscribe by", "Discord"),
    "teams": pgettext_lazy("subscribe by", "Microsoft Teams"),
    "telegram": pgettext_lazy("subscribe by", "Telegram"),
    "apprise": pgettext_lazy("subscribe by", "Other service (apprise URL)"),
}

# Labels of the inputs of the subscribe forms, by notifier and field name,
# then by field name alone.
TARGET_LABELS = {
    ("email", "to"): pgettext_lazy("subscribe field", "Email address"),
    ("sms", "to"): pgettext_lazy("subscribe field", "Phone number"),
}
FIELD_LABELS = {
    "url": pgettext_lazy("subscribe field", "URL"),
    "webhook_url": pgettext_lazy("subscribe field", "Webhook URL"),
    "secret": pgettext_lazy("subscribe field", "Signing secret"),
    "bot_token": pgettext_lazy("subscribe field", "Bot token"),
    "chat_id": pgettext_lazy("subscribe field", "Chat ID"),
    "account_sid": pgettext_lazy("subscribe field", "Account SID"),
    "auth_token": pgettext_lazy("subscribe field", "Auth token"),
    "from_number": pgettext_lazy("subscribe field", "Sender number"),
}


def notifier_label(name: str, default: str) -> str:
    """Return the visitor-facing name of notifier ``name`` in the active language."""
    return str(NOTIFIER_LABELS.get(name, default))


def target_label(notifier: str, field: str, default: str) -> str:
    """Return the label of a subscribe input in the active language."""
    label = TARGET_LABELS.get((notifier, field)) or FIELD_LABELS.get(field, default)
    return str(label)
