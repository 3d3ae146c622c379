"""The base class for notifier plugins and the message they deliver.

A notifier turns one :class:`Message` into one delivery on its channel.
The dispatcher renders the message from templates first. The notifier
then encodes it for its channel: escaping for Slack mrkdwn or Telegram
MarkdownV2, one-line headers for email. Formatting after templating is
the notifier's job, because only the notifier has its channel's syntax.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar

import pydantic

from statuscore.exceptions import NotificationFailed

__all__ = ["Message", "Notifier", "stored_config"]


class Message(pydantic.BaseModel):
    """A notification in channel-neutral form: the notifier formats it.

    ``subject`` is one line of plain text and ``text`` the plain body;
    ``html`` is an optional HTML body for channels that take one, and
    ``short`` a text of at most 160 characters for SMS. ``key`` is the
    delivery's idempotency key, for channels that can pass it on (an email
    Message-ID, a webhook header) so that receivers can drop repeats.
    """

    event_kind: str = ""
    subject: str
    text: str
    html: str = ""
    short: str = ""
    url: str = ""
    unsubscribe_url: str = ""
    unsubscribe_post_url: str = ""
    key: str = ""
    language: str = "en"
    payload: dict = pydantic.Field(default_factory=dict)


class Notifier:
    """Base class for notifiers. Subclass it, set the class attributes, and
    implement :meth:`send`.

    ``name`` is the stable identifier stored on channels and subscribers,
    ``label`` is shown in the admin, and ``Config`` validates a channel's
    configuration; fields typed ``pydantic.SecretStr`` are shown masked.
    ``subscribable`` says whether visitors may choose this notifier when
    the page allows it, and ``confirmation`` how a new subscriber proves
    the target is theirs: ``"link"`` (a message with a link to a page whose
    button confirms), ``"code"`` (a short code sent to the target and typed
    back), ``"call"`` (a verification request the target must answer with
    success) or ``"none"``.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    Config: ClassVar[type[pydantic.BaseModel]]
    subscribable: ClassVar[bool] = False
    confirmation: ClassVar[str] = "none"

    def send(self, config: pydantic.BaseModel, message: Message) -> None:
        """Deliver ``message`` once, or raise ``NotificationFailed``."""
        raise NotImplementedError

    def send_many(
        self, batch: Iterable[tuple[pydantic.BaseModel, Message]]
    ) -> Iterator[NotificationFailed | None]:
        """Deliver each ``(config, message)`` pair of ``batch`` in order, and
        yield one outcome per pair: ``None`` when the channel accepted the
        message, the ``NotificationFailed`` when it did not.

        Override it to share work between messages, such as one SMTP
        connection for the whole batch. An implementation must yield each
        outcome before it sends the next message, because the caller
        records the outcome while the generator is suspended. A crash then
        repeats at most the one message whose outcome was not recorded yet.

        An exception other than a yielded failure ends the batch: the caller
        counts it as a temporary failure of the message being sent and
        calls ``send_many`` again with the pairs after it. The caller may
        also stop early and close the generator, so release connections in
        a ``finally`` block. This default calls :meth:`send` for each pair.
        """
        for config, message in batch:
            try:
                self.send(config, message)
            except NotificationFailed as failure:
                yield failure
            else:
                yield None

    def address(self, config: pydantic.BaseModel) -> str:
        """Return the normalised target of ``config`` (an address, a number,
        a URL), used to recognise the same subscriber twice."""
        raise NotImplementedError

    def describe(self, config: pydantic.BaseModel) -> str:
        """Return the target as a person may see it, secrets masked."""
        return self.address(config)

    def verify(self, config: pydantic.BaseModel) -> None:
        """Check that the target accepts messages, for ``confirmation = "call"``.

        Return when it responded with success, or raise ``NotificationFailed``.
        """
        raise NotImplementedError


def stored_config(config: pydantic.BaseModel) -> dict:
    """Return a validated configuration as the JSON stored, encrypted, on a
    channel or subscriber, secrets in clear.

    pydantic's JSON dump writes ``SecretStr`` values as asterisks, which
    would destroy the secret, so secrets are taken from the python dump and
    everything else from the JSON one.
    """
    return _revealed(config.model_dump(), config.model_dump(mode="json"))


def _revealed(python, dumped):
    if isinstance(python, pydantic.SecretStr | pydantic.SecretBytes):
        value = python.get_secret_value()
        return value.decode() if isinstance(value, bytes) else value
    if isinstance(python, dict):
        return {key: _revealed(python[key], dumped[key]) for key in python}
    if isinstance(python, list | tuple):
        return [
            _revealed(item, json) for item, json in zip(python, dumped, strict=True)
        ]
    return dumped
