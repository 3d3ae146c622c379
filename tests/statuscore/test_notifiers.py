"""The notifier base class: the default batch sending."""

from __future__ import annotations

from statuscore.exceptions import NotificationFailed
from statuscore.notifiers import Message
from tests.statuscore.notifying import RecordingConfig


def batch_to(*addresses: str) -> list[tuple[RecordingConfig, Message]]:
    return [
        (RecordingConfig(to=to), Message(subject="Down", text="Down.", key=to))
        for to in addresses
    ]


def test_send_many_yields_outcomes_in_order(notifier):
    refused = NotificationFailed("550 no such user", permanent=True)
    notifier.failures["gone@example.test"] = refused

    outcomes = list(
        notifier().send_many(
            batch_to("a@example.test", "gone@example.test", "b@example.test")
        )
    )

    assert outcomes == [None, refused, None]
    assert [to for to, _ in notifier.sent] == ["a@example.test", "b@example.test"]


def test_send_many_sends_one_per_outcome(notifier):
    outcomes = notifier().send_many(batch_to("a@example.test", "b@example.test"))

    next(outcomes)
    sent_after_first = len(notifier.sent)
    outcomes.close()

    assert sent_after_first == 1
    assert len(notifier.sent) == 1
