"""Post to a Microsoft Teams channel through a Power Automate workflow.

Teams retired its Office 365 connectors; a channel now receives webhooks
through a "Post to a channel when a webhook request is received" workflow,
whose URL apprise 2.3 sends to with its ``workflows`` plugin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pydantic

from statuscore.notifiers import Message, Notifier
from statuscore.secrets import mask

from plugins.apprise.sending import notify, recognised

__all__ = ["TeamsConfig", "TeamsNotifier"]


class TeamsConfig(pydantic.BaseModel):
    """A Teams workflow webhook URL, which is a credential (it contains ``sig``)."""

    model_config = pydantic.ConfigDict(extra="forbid")

    webhook_url: pydantic.SecretStr = pydantic.Field(
        description="The workflow's HTTP POST URL, https://…/workflows/…/triggers/…"
    )

    @pydantic.field_validator("webhook_url")
    @classmethod
    def _workflow_url(cls, value: pydantic.SecretStr) -> pydantic.SecretStr:
        url = value.get_secret_value().strip()
        if (
            urlsplit(url).scheme != "https"
            or "/workflows/" not in url
            or not recognised(url)
        ):
            raise ValueError(
                "Enter the HTTP POST URL of a Teams workflow: "
                "https://…/workflows/<id>/triggers/manual/paths/invoke?…&sig=…"
            )
        return pydantic.SecretStr(url)


class TeamsNotifier(Notifier):
    """Microsoft Teams, through apprise's workflows plugin."""

    name = "teams"
    label = "Microsoft Teams"
    Config = TeamsConfig
    subscribable = True
    confirmation = "code"

    def send(self, config: TeamsConfig, message: Message) -> None:
        notify(
            config.webhook_url.get_secret_value(),
            title=message.subject,
            body=message.text,
            label=self.describe(config),
        )

    def address(self, config: TeamsConfig) -> str:
        return config.webhook_url.get_secret_value()

    def describe(self, config: TeamsConfig) -> str:
        host = urlsplit(config.webhook_url.get_secret_value()).hostname
        return f"Teams workflow at {host} {mask(config.webhook_url.get_secret_value())}"
