"""A recording notifier and helpers for tests of fan-out and delivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import pydantic
import pytest

from statuscore import hookimpl
from statuscore.exceptions import NotificationFailed
from statuscore.models import Subscriber, SubscriberState
from statuscore.notifiers import Message, Notifier
from statuscore.secrets import digest
from statuscore.testing import temporary_plugin


class RecordingConfig(pydantic.BaseModel):
    to: str
    token: pydantic.SecretStr = pydantic.SecretStr("")


class RecordingNotifier(Notifier):
    """Records each message per target; raises the failure set for a target.

    ``before_send``, when set, is called with each message before it is
    recorded, so a test can look at the database at that moment.
    """

    name = "recording"
    label = "Recording (tests only)"
    Config = RecordingConfig
    subscribable = True

    sent: ClassVar[list[tuple[str, Message]]] = []
    failures: ClassVar[dict[str, NotificationFailed | Exception]] = {}
    before_send: ClassVar[Callable[[Message], None] | None] = None

    def send(self, config: RecordingConfig, message: Message) -> None:
        if self.before_send is not None:
            self.before_send(message)
        failure = self.failures.get(config.to)
        if failure is not None:
            raise failure
        self.sent.append((config.to, message))

    def address(self, config: RecordingConfig) -> str:
        return config.to


class RecordingPlugin:
    @hookimpl
    def statuscore_register_notifiers(self):
        return [RecordingNotifier]


@pytest.fixture
def notifier():
    RecordingNotifier.sent = []
    RecordingNotifier.failures = {}
    RecordingNotifier.before_send = None
    with temporary_plugin(RecordingPlugin(), name="recording-notifier"):
        yield RecordingNotifier


def make_subscriber(
    page, to: str, *, state=SubscriberState.ACTIVE, components=(), notifier="recording"
) -> Subscriber:
    subscriber = Subscriber.objects.create(
        page=page,
        notifier=notifier,
        address=to,
        address_key=digest(to),
        config={"to": to},
        state=state,
    )
    subscriber.components.set(components)
    return subscriber
