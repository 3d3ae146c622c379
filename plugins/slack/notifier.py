"""Post to a Slack channel through an incoming webhook."""

from __future__ import annotations

import re

import pydantic

from statuscore.notifiers import Message, Notifier
from statuscore.secrets import mask

from plugins.apprise.sending import notify

__all__ = ["SlackConfig", "SlackNotifier"]

WEBHOOK = re.compile(
    r"^https://hooks\.slack\.com/services/(?P<team>T\w+)/(?P<bot>B\w+)/(?P<token>\w+)/?$"
)


class SlackConfig(pydantic.BaseModel):
    """A Slack incoming-webhook URL, which is a credential."""

    model_config = pydantic.ConfigDict(extra="forbid")

    webhook_url: pydantic.SecretStr = pydantic.Field(
        description="https://hooks.slack.com/services/T…/B…/…"
    )

    @pydantic.field_validator("webhook_url")
    @classmethod
    def _slack_webhook(cls, value: pydantic.SecretStr) -> pydantic.SecretStr:
        if not WEBHOOK.match(value.get_secret_value().strip()):
            raise ValueError(
                "Enter a Slack incoming-webhook URL: "
                "https://hooks.slack.com/services/T…/B…/…"
            )
        return pydantic.SecretStr(value.get_secret_value().strip())


class SlackNotifier(Notifier):
    """Slack, in mrkdwn with ``&``, ``<`` and ``>`` escaped by apprise."""

    name = "slack"
    label = "Slack"
    Config = SlackConfig
    subscribable = True
    confirmation = "code"

    def send(self, config: SlackConfig, message: Message) -> None:
        parts = WEBHOOK.match(config.webhook_url.get_secret_value())
        url = "slack://{team}/{bot}/{token}?footer=no&image=no".format(
            **parts.groupdict()
        )
        notify(
            url, title=message.subject, body=message.text, label=self.describe(config)
        )

    def address(self, config: SlackConfig) -> str:
        return config.webhook_url.get_secret_value()

    def describe(self, config: SlackConfig) -> str:
        return f"Slack webhook {mask(config.webhook_url.get_secret_value())}"
