"""Send to a Telegram chat through a bot."""

from __future__ import annotations

import pydantic

from statuscore.notifiers import Message, Notifier
from statuscore.secrets import mask

from plugins.apprise.sending import notify

__all__ = ["TelegramConfig", "TelegramNotifier"]


class TelegramConfig(pydantic.BaseModel):
    """A bot token from @BotFather and the chat the bot posts to."""

    model_config = pydantic.ConfigDict(extra="forbid")

    bot_token: pydantic.SecretStr = pydantic.Field(
        description="123456:ABC… from @BotFather"
    )
    chat_id: str = pydantic.Field(
        pattern=r"^(-?\d{1,20}|@[A-Za-z]\w{4,31})$",
        description="Numeric chat id, or @channelname",
    )

    @pydantic.field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: pydantic.SecretStr) -> pydantic.SecretStr:
        token = value.get_secret_value().strip()
        bot_id, _, secret = token.partition(":")
        if not (
            bot_id.isdigit()
            and len(secret) >= 30
            and secret.replace("-", "").replace("_", "").isalnum()
        ):
            raise ValueError(
                "Enter a bot token of the form 123456789:AA… from @BotFather."
            )
        return pydantic.SecretStr(token)


class TelegramNotifier(Notifier):
    """Telegram in MarkdownV2, escaped by apprise, with a plain-text retry."""

    name = "telegram"
    label = "Telegram"
    Config = TelegramConfig
    subscribable = True
    confirmation = "code"

    def send(self, config: TelegramConfig, message: Message) -> None:
        base = f"tgram://{config.bot_token.get_secret_value()}/{config.chat_id}"
        body = f"{message.subject}\n\n{message.text}"
        notify(
            f"{base}?format=markdown&mdv=v2",
            title="",
            body=body,
            label=self.describe(config),
            plain_url=f"{base}?format=text",
        )

    def address(self, config: TelegramConfig) -> str:
        return config.chat_id

    def describe(self, config: TelegramConfig) -> str:
        token = mask(config.bot_token.get_secret_value())
        return f"Telegram chat {config.chat_id} (bot {token})"
