"""Send a text message through Twilio.

A subscriber's configuration holds only the phone number. The Twilio
account comes from the channel's own fields when set (a team channel with
its own account) and otherwise from the settings ``STATUSCORE_TWILIO_ACCOUNT_SID``,
``STATUSCORE_TWILIO_AUTH_TOKEN`` and ``STATUSCORE_TWILIO_FROM_NUMBER``.
"""

from __future__ import annotations

import re

import pydantic
from django.conf import settings

from statuscore.exceptions import NotificationFailed
from statuscore.notifiers import Message, Notifier

from plugins.apprise.sending import notify

__all__ = ["SmsConfig", "SmsNotifier"]

E164 = r"^\+[1-9]\d{6,14}$"
MAX_BODY = 1600
"""Characters Twilio accepts in one message body."""


class SmsConfig(pydantic.BaseModel):
    """The recipient's number, and optionally a Twilio account of its own."""

    model_config = pydantic.ConfigDict(extra="forbid")

    to: str = pydantic.Field(pattern=E164, description="Phone number in E.164, +4915…")
    account_sid: str = pydantic.Field(default="", pattern=r"^(AC[0-9a-f]{32})?$")
    auth_token: pydantic.SecretStr = pydantic.SecretStr("")
    from_number: str = pydantic.Field(default="", pattern=r"^(\+[1-9]\d{6,14})?$")

    @pydantic.field_validator("to", mode="before")
    @classmethod
    def _strip_spaces(cls, value: str) -> str:
        return re.sub(r"[\s().-]", "", value) if isinstance(value, str) else value

    @pydantic.field_validator("auth_token")
    @classmethod
    def _token_shape(cls, value: pydantic.SecretStr) -> pydantic.SecretStr:
        if value.get_secret_value() and not re.fullmatch(
            r"[0-9a-f]{32}", value.get_secret_value()
        ):
            raise ValueError("A Twilio auth token is 32 hexadecimal characters.")
        return value


def _account(config: SmsConfig) -> tuple[str, str, str]:
    sid = config.account_sid or getattr(settings, "STATUSCORE_TWILIO_ACCOUNT_SID", "")
    token = config.auth_token.get_secret_value() or getattr(
        settings, "STATUSCORE_TWILIO_AUTH_TOKEN", ""
    )
    sender = config.from_number or getattr(
        settings, "STATUSCORE_TWILIO_FROM_NUMBER", ""
    )
    for setting, value in (
        ("STATUSCORE_TWILIO_ACCOUNT_SID", sid),
        ("STATUSCORE_TWILIO_AUTH_TOKEN", token),
        ("STATUSCORE_TWILIO_FROM_NUMBER", sender),
    ):
        if not value:
            raise NotificationFailed(
                f"{setting} is not set, and the channel has no value of its own."
            )
    return sid, token, sender


class SmsNotifier(Notifier):
    """SMS through Twilio's Messages API; sends the short text."""

    name = "sms"
    label = "SMS (Twilio)"
    Config = SmsConfig
    subscribable = True
    confirmation = "code"

    def send(self, config: SmsConfig, message: Message) -> None:
        sid, token, sender = _account(config)
        body = (message.short or message.subject)[:MAX_BODY]
        url = f"twilio://{sid}:{token}@{sender}/{config.to}"
        notify(url, title="", body=body, label=self.describe(config))

    def address(self, config: SmsConfig) -> str:
        return config.to

    def describe(self, config: SmsConfig) -> str:
        return f"SMS to {config.to[:4]}•••{config.to[-2:]}"
