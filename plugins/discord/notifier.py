"""Post to a Discord channel through a webhook."""

from __future__ import annotations

import re

import pydantic

from statuscore.notifiers import Message, Notifier
from statuscore.secrets import mask

from plugins.apprise.sending import notify

__all__ = ["DiscordConfig", "DiscordNotifier"]

WEBHOOK = re.compile(
    r"^https://(?:discord|discordapp)\.com/api/webhooks/(?P<id>\d+)/(?P<token>[\w-]+)/?$"
)


class DiscordConfig(pydantic.BaseModel):
    """A Discord webhook URL, which is a credential."""

    model_config = pydantic.ConfigDict(extra="forbid")

    webhook_url: pydantic.SecretStr = pydantic.Field(
        description="https://discord.com/api/webhooks/<id>/<token>"
    )

    @pydantic.field_validator("webhook_url")
    @classmethod
    def _discord_webhook(cls, value: pydantic.SecretStr) -> pydantic.SecretStr:
        if not WEBHOOK.match(value.get_secret_value().strip()):
            raise ValueError(
                "Enter a Discord webhook URL: https://discord.com/api/webhooks/<id>/<token>"
            )
        return pydantic.SecretStr(value.get_secret_value().strip())


class DiscordNotifier(Notifier):
    """Discord, through apprise's Discord plugin."""

    name = "discord"
    label = "Discord"
    Config = DiscordConfig
    subscribable = True
    confirmation = "code"

    def send(self, config: DiscordConfig, message: Message) -> None:
        parts = WEBHOOK.match(config.webhook_url.get_secret_value())
        url = "discord://{id}/{token}?footer=no&image=no".format(**parts.groupdict())
        notify(
            url, title=message.subject, body=message.text, label=self.describe(config)
        )

    def address(self, config: DiscordConfig) -> str:
        return config.webhook_url.get_secret_value()

    def describe(self, config: DiscordConfig) -> str:
        return f"Discord webhook {mask(config.webhook_url.get_secret_value())}"
