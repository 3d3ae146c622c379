"""Chat and SMS notifiers sent through apprise to local stand-in services."""

from __future__ import annotations

import pydantic
import pytest

from statuscore.exceptions import NotificationFailed
from statuscore.notifiers import Message

from plugins.apprise.notifier import AppriseConfig, AppriseNotifier
from plugins.discord.notifier import DiscordConfig, DiscordNotifier
from plugins.email.notifier import EmailConfig, EmailNotifier
from plugins.slack.notifier import SlackConfig, SlackNotifier
from plugins.sms.notifier import SmsConfig, SmsNotifier
from plugins.teams.notifier import TeamsConfig
from plugins.telegram.notifier import TelegramConfig, TelegramNotifier
from plugins.webhook.notifier import WebhookConfig, WebhookNotifier
from tests.plugins.apprise.conftest import TWILIO_TOKEN
from tests.plugins.stubs import Reply, stub_server

NAME = "api-v2.prod_eu (main)!"
URL = "https://svc_1.example.test/a-b"
TELEGRAM = {
    "bot_token": "123456789:AAHabcdefghijklmnopqrstuvwxyz012345",
    "chat_id": "-100123",
}
SLACK_URL = "https://hooks.slack.com/services/T0ABCDEF/B0ABCDEF/abcdefghijklmnop"


def f15_message() -> Message:
    return Message(
        event_kind="check.state_changed",
        subject=f"[Acme] Check {NAME} is Down",
        text=f"The check {NAME} changed from Up to Down.\n\nDetails: {URL}\nA & B <ops>",
        short=f"[Acme] Check {NAME} is Down {URL}",
        url=URL,
        key="41:check.state_changed:channel-3",
    )


def test_telegram_escapes_markdown_v2(telegram_api):
    TelegramNotifier().send(TelegramConfig(**TELEGRAM), f15_message())

    [request] = telegram_api.requests
    assert request.json()["parse_mode"] == "MarkdownV2"
    assert "api\\-v2\\.prod\\_eu \\(main\\)\\!" in request.json()["text"]
    assert "https://svc\\_1\\.example\\.test/a\\-b" in request.json()["text"]


def test_telegram_falls_back_to_plain_text(monkeypatch, caplog):
    def rejects_markdown(request):
        if request.json().get("parse_mode") == "MarkdownV2":
            return Reply(
                400, {"ok": False, "description": "Bad Request: can't parse entities"}
            )
        return Reply(200, {"ok": True, "result": {}})

    from apprise.plugins.telegram import NotifyTelegram

    with stub_server(rejects_markdown) as server:
        monkeypatch.setattr(NotifyTelegram, "notify_url", f"{server.base_url}/bot")
        TelegramNotifier().send(TelegramConfig(**TELEGRAM), f15_message())

    first, retry = server.requests
    assert first.json()["parse_mode"] == "MarkdownV2"
    assert (
        "parse_mode" not in retry.json() or retry.json()["parse_mode"] != "MarkdownV2"
    )
    assert NAME in retry.json()["text"]
    assert "sending it as plain text" in caplog.text


def test_failing_channel_does_not_block_others(monkeypatch, slack_api):
    from apprise.plugins.telegram import NotifyTelegram

    with stub_server(lambda request: Reply(500, {"ok": False})) as broken:
        monkeypatch.setattr(NotifyTelegram, "notify_url", f"{broken.base_url}/bot")
        with pytest.raises(NotificationFailed) as raised:
            TelegramNotifier().send(TelegramConfig(**TELEGRAM), f15_message())
        SlackNotifier().send(SlackConfig(webhook_url=SLACK_URL), f15_message())

    assert not raised.value.permanent
    assert len(broken.requests) == 2
    assert len(slack_api.requests) == 1


def test_slack_escapes_ampersand_and_brackets(slack_api):
    SlackNotifier().send(SlackConfig(webhook_url=SLACK_URL), f15_message())

    [request] = slack_api.requests
    text = request.json()["attachments"][0]["text"]
    assert "A &amp; B &lt;ops&gt;" in text
    assert NAME in text


def test_sms_sends_short_text_to_twilio(twilio_api):
    SmsNotifier().send(SmsConfig(to="+49 151 2345 6789"), f15_message())

    [request] = twilio_api.requests
    assert request.form()["To"] == "+4915123456789"
    assert request.form()["From"] == "+15005550006"
    assert request.form()["Body"] == f15_message().short


def test_sms_body_is_capped_for_twilio(twilio_api):
    message = f15_message().model_copy(update={"short": "x" * 2000})

    SmsNotifier().send(SmsConfig(to="+4915123456789"), message)

    [request] = twilio_api.requests
    assert len(request.form()["Body"]) == 1600


def test_sms_without_account_names_setting(settings):
    settings.STATUSCORE_TWILIO_ACCOUNT_SID = ""

    with pytest.raises(NotificationFailed) as raised:
        SmsNotifier().send(SmsConfig(to="+4915123456789"), f15_message())

    assert "STATUSCORE_TWILIO_ACCOUNT_SID" in raised.value.reason


def test_discord_receives_message(discord_api):
    config = DiscordConfig(
        webhook_url="https://discord.com/api/webhooks/123456/abc-DEF_ghi"
    )

    DiscordNotifier().send(config, f15_message())

    [request] = discord_api.requests
    assert NAME in str(request.json())


def test_apprise_url_reaches_its_service(slack_api):
    config = AppriseConfig(url="slack://T0ABCDEF/B0ABCDEF/abcdefghijklmnop")

    AppriseNotifier().send(config, f15_message())

    assert len(slack_api.requests) == 1


def test_f15_names_accepted_on_every_channel(telegram_api, slack_api, smtp_sink):
    message = f15_message()
    with stub_server(lambda request: Reply(200, {"ok": True})) as receiver:
        TelegramNotifier().send(TelegramConfig(**TELEGRAM), message)
        SlackNotifier().send(SlackConfig(webhook_url=SLACK_URL), message)
        WebhookNotifier().send(WebhookConfig(url=f"{receiver.base_url}/hook"), message)
        EmailNotifier().send(EmailConfig(to="ops@example.test"), message)

    assert len(telegram_api.requests) == 1
    assert len(slack_api.requests) == 1
    assert receiver.requests[0].json()["subject"] == message.subject
    assert smtp_sink.received[0].message["Subject"] == message.subject


@pytest.mark.parametrize(
    ("config", "values", "field"),
    [
        (SlackConfig, {"webhook_url": "https://example.test/hook"}, "webhook_url"),
        (DiscordConfig, {"webhook_url": "https://discord.com/api/x"}, "webhook_url"),
        (
            TeamsConfig,
            {"webhook_url": "http://example.test/workflows/x"},
            "webhook_url",
        ),
        (TelegramConfig, {"bot_token": "nope", "chat_id": "-1"}, "bot_token"),
        (TelegramConfig, {**TELEGRAM, "chat_id": "not a chat"}, "chat_id"),
        (SmsConfig, {"to": "0151 2345"}, "to"),
        (SmsConfig, {"to": "+4915123456789", "auth_token": "short"}, "auth_token"),
        (AppriseConfig, {"url": "nosuchservice://x"}, "url"),
        (AppriseConfig, {"url": "json://169.254.169.254/latest"}, "url"),
    ],
)
def test_invalid_config_names_the_field(config, values, field):
    with pytest.raises(pydantic.ValidationError) as raised:
        config(**values)

    assert raised.value.errors()[0]["loc"] == (field,)


def test_teams_accepts_workflow_url():
    url = (
        "https://prod-161.westeurope.logic.azure.com:443/workflows/"
        "643e69f83c8944438d68119179a10a64/triggers/manual/paths/invoke"
        "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=KODuebWbDGYFr0z0eu"
    )

    assert TeamsConfig(webhook_url=url).webhook_url.get_secret_value() == url


@pytest.mark.parametrize(
    ("notifier", "config", "secret"),
    [
        (SlackNotifier(), SlackConfig(webhook_url=SLACK_URL), "abcdefghijklmnop"),
        (TelegramNotifier(), TelegramConfig(**TELEGRAM), TELEGRAM["bot_token"]),
        (
            SmsNotifier(),
            SmsConfig(to="+4915123456789", auth_token=TWILIO_TOKEN),
            TWILIO_TOKEN,
        ),
    ],
)
def test_describe_masks_secrets(notifier, config, secret):
    assert secret not in notifier.describe(config)
    assert secret not in repr(config)
