"""Visitor-facing words for values that ``statuscore`` keeps in English.

The overall sentence of a page, such as "All Systems Operational", is part
of the Statuspage-compatible v2 JSON and stays English there. The public
pages show it in the visitor's language through :func:`status_sentence`.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from statuscore.status import DEGRADED_DESCRIPTION, DESCRIPTIONS, PageStatus

__all__ = ["STATUS_SENTENCES", "status_sentence"]

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
