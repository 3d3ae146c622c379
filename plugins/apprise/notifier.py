"""Send through any apprise URL: ntfy, Matrix, Pushover, SendGrid and more.

The URL may name any host, so a literal IP address in it passes the same
network policy as webhook targets.
"""

from __future__ import annotations

import ipaddress

import apprise
import pydantic

from statuscore.conf import get_settings
from statuscore.netsafety import address_rejection
from statuscore.notifiers import Message, Notifier

from plugins.apprise.sending import notify, recognised

__all__ = ["AppriseConfig", "AppriseNotifier"]


def _literal_address_rejection(url: str) -> str | None:
    parsed = apprise.utils.parse.parse_url(url, verify_host=False) or {}
    host = (parsed.get("host") or "").strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return address_rejection(address, get_settings().allow_private_targets)


class AppriseConfig(pydantic.BaseModel):
    """An apprise URL, which usually contains a token."""

    model_config = pydantic.ConfigDict(extra="forbid")

    url: pydantic.SecretStr = pydantic.Field(
        description="Any URL apprise supports, such as ntfys://ntfy.sh/topic"
    )

    @pydantic.field_validator("url")
    @classmethod
    def _supported(cls, value: pydantic.SecretStr) -> pydantic.SecretStr:
        url = value.get_secret_value().strip()
        if not recognised(url):
            raise ValueError("apprise supports no service with this URL.")
        rejection = _literal_address_rejection(url)
        if rejection:
            raise ValueError(f"The URL's address is not allowed: {rejection}.")
        return pydantic.SecretStr(url)


class AppriseNotifier(Notifier):
    """Any service apprise supports, named by its URL."""

    name = "apprise"
    label = "Other service (apprise URL)"
    Config = AppriseConfig
    subscribable = True
    confirmation = "code"

    def send(self, config: AppriseConfig, message: Message) -> None:
        notify(
            config.url.get_secret_value(),
            title=message.subject,
            body=message.text,
            label=self.describe(config),
        )

    def address(self, config: AppriseConfig) -> str:
        return config.url.get_secret_value()

    def describe(self, config: AppriseConfig) -> str:
        """Return apprise's own privacy form of the URL, tokens shortened."""
        service = apprise.Apprise.instantiate(
            config.url.get_secret_value(), suppress_exceptions=True
        )
        return service.url(privacy=True) if service else "apprise URL"
