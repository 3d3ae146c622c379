"""Notifiers for subscription tests that record what they were asked to do.

Each is a real ``Notifier`` subclass, registered through the plugin
manager with ``temporary_plugin``, so the code under test finds it the
same way it finds a built-in notifier.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pydantic

from statuscore import hookimpl
from statuscore.exceptions import NotificationFailed
from statuscore.notifiers import Message, Notifier

SENT: list[tuple[str, dict, Message]] = []
VERIFIED: list[str] = []


class MailConfig(pydantic.BaseModel):
    to: str = pydantic.Field(title="Email address")

    @pydantic.field_validator("to")
    @classmethod
    def must_be_address(cls, value: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
            raise ValueError("Enter an email address such as name@example.com.")
        return value.strip()


class RecordingMail(Notifier):
    name = "recmail"
    label = "Recording mail"
    Config = MailConfig
    subscribable = True
    confirmation = "link"

    def send(self, config: MailConfig, message: Message) -> None:
        SENT.append((self.name, config.model_dump(), message))

    def address(self, config: MailConfig) -> str:
        return config.to.lower()


class SmsConfig(pydantic.BaseModel):
    to: str = pydantic.Field(pattern=r"^\+[1-9][0-9]{6,14}$", title="Phone number")


class RecordingSms(Notifier):
    name = "recsms"
    label = "Recording SMS"
    Config = SmsConfig
    subscribable = True
    confirmation = "code"

    def send(self, config: SmsConfig, message: Message) -> None:
        SENT.append((self.name, config.model_dump(), message))

    def address(self, config: SmsConfig) -> str:
        return config.to


class HookConfig(pydantic.BaseModel):
    url: pydantic.HttpUrl
    secret: pydantic.SecretStr | None = None


class RecordingHook(Notifier):
    """Verifies any URL except those whose path contains ``refuse``."""

    name = "rechook"
    label = "Recording webhook"
    Config = HookConfig
    subscribable = True
    confirmation = "call"

    def send(self, config: HookConfig, message: Message) -> None:
        SENT.append((self.name, config.model_dump(), message))

    def address(self, config: HookConfig) -> str:
        return str(config.url)

    def describe(self, config: HookConfig) -> str:
        return f"{config.url.scheme}://{config.url.host}/…"

    def verify(self, config: HookConfig) -> None:
        VERIFIED.append(str(config.url))
        if "refuse" in str(config.url):
            raise NotificationFailed("The receiver answered 404.", permanent=True)


class FeedConfig(pydantic.BaseModel):
    topic: str


class RecordingFeed(Notifier):
    name = "recfeed"
    label = "Recording feed"
    Config = FeedConfig
    subscribable = True
    confirmation = "none"

    def send(self, config: FeedConfig, message: Message) -> None:
        SENT.append((self.name, config.model_dump(), message))

    def address(self, config: FeedConfig) -> str:
        return config.topic


class TeamOnly(Notifier):
    name = "teamonly"
    label = "Team only"
    Config = FeedConfig
    subscribable = False

    def send(self, config: FeedConfig, message: Message) -> None:
        SENT.append((self.name, config.model_dump(), message))

    def address(self, config: FeedConfig) -> str:
        return config.topic


@hookimpl
def _register() -> list[type[Notifier]]:
    return [RecordingMail, RecordingSms, RecordingHook, RecordingFeed, TeamOnly]


recording_plugin = SimpleNamespace(
    __name__="tests.statuscore.recording", statuscore_register_notifiers=_register
)

ALL = ["recmail", "recsms", "rechook", "recfeed", "teamonly"]
