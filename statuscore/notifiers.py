"""The base class for notifier plugins."""

from __future__ import annotations

from typing import ClassVar

import pydantic

__all__ = ["Message", "Notifier"]


class Message(pydantic.BaseModel):
    """A notification in channel-neutral form: the notifier formats it."""

    title: str
    body: str
    url: str = ""


class Notifier:
    """Base class for notifiers. Subclass it, set the class attributes, and
    implement :meth:`send`.

    ``name`` is the stable identifier stored on channels, ``label`` is shown
    in the admin, and ``Config`` validates a channel's configuration.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    Config: ClassVar[type[pydantic.BaseModel]]

    def send(self, config: pydantic.BaseModel, message: Message) -> None:
        """Deliver ``message`` once, or raise ``NotificationFailed``."""
        raise NotImplementedError
