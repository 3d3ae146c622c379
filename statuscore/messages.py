"""Stand-in for the confirmation renderer of the notify-plugins branch.

NOTE: Replaced by the full module from notify-plugins at merge; only
``render_confirmation`` exists here, in plain English.
"""

from __future__ import annotations

from statuscore.models import Page
from statuscore.notifiers import Message, Notifier

__all__ = ["render_confirmation"]


def render_confirmation(
    page: Page,
    notifier: type[Notifier],
    *,
    language: str,
    confirm_url: str = "",
    code: str = "",
) -> Message:
    """Return the message that asks a new subscriber to confirm."""
    if code:
        text = f"Your confirmation code for {page.name} updates is {code}."
    else:
        text = (
            f"Confirm that you want updates about {page.name}: {confirm_url}\n\n"
            "If you did not ask for this, ignore this message."
        )
    return Message(
        event_kind="subscriber.confirmation",
        subject=f"Confirm your subscription to {page.name}",
        text=text,
        short=text[:160],
        url=confirm_url,
        language=language,
    )
