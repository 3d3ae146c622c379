"""The email notifier against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import pydantic
import pytest

from plugins.email.headers import one_line
from plugins.email.notifier import EmailConfig, EmailNotifier
from statuscore.exceptions import NotificationFailed
from statuscore.notifiers import Message
from tests.smtp import free_port

ADDRESS = "ada@example.test"


def make_message(**fields) -> Message:
    values = {
        "subject": "API is down",
        "text": "The API is down.\nhttps://status.acme.test/",
        "html": "<p>The <b>API</b> is down.</p>",
        "unsubscribe_url": "https://status.acme.test/unsubscribe/tok",
        "unsubscribe_post_url": "https://status.acme.test/unsubscribe/tok/one-click",
        "key": "41:incident.created:sub-7",
    }
    values.update(fields)
    return Message(**values)


def send(message: Message, to: str = ADDRESS) -> None:
    EmailNotifier().send(EmailConfig(to=to), message)


def test_email_has_plain_and_html_parts(smtp_sink):
    send(make_message())

    [received] = smtp_sink.messages_to(ADDRESS)
    assert received.message.get_content_type() == "multipart/alternative"
    assert received.part("text/plain").startswith("The API is down.\n")
    assert "<b>API</b>" in received.part("text/html")
    assert received.message["Subject"] == "API is down"
    assert received.message["From"] == "status@status.acme.test"


def test_email_without_html_is_plain_text(smtp_sink):
    send(make_message(html=""))

    [received] = smtp_sink.messages_to(ADDRESS)
    assert received.message.get_content_type() == "text/plain"


def test_email_carries_one_click_unsubscribe_headers(smtp_sink):
    send(make_message())

    [received] = smtp_sink.messages_to(ADDRESS)
    assert received.message["List-Unsubscribe"] == (
        "<https://status.acme.test/unsubscribe/tok/one-click>"
    )
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_email_without_post_url_links_unsubscribe_page(smtp_sink):
    send(make_message(unsubscribe_post_url=""))

    [received] = smtp_sink.messages_to(ADDRESS)
    assert received.message["List-Unsubscribe"] == (
        "<https://status.acme.test/unsubscribe/tok>"
    )
    assert received.message["List-Unsubscribe-Post"] is None


def test_email_without_unsubscribe_links_has_no_list_headers(smtp_sink):
    send(make_message(unsubscribe_url="", unsubscribe_post_url=""))

    [received] = smtp_sink.messages_to(ADDRESS)
    assert received.message["List-Unsubscribe"] is None
    assert received.message["List-Unsubscribe-Post"] is None


def test_email_message_id_is_stable_per_key(smtp_sink):
    send(make_message())
    send(make_message())
    send(make_message(key="41:incident.created:sub-8"))

    first, repeat, other = smtp_sink.messages_to(ADDRESS)
    assert len(first.message.get_all("Message-ID")) == 1
    assert first.message["Message-ID"] == repeat.message["Message-ID"]
    assert first.message["Message-ID"] != other.message["Message-ID"]
    assert first.message["Message-ID"].endswith("@status.acme.test>")


def test_newline_in_subject_adds_no_header(smtp_sink):
    send(make_message(subject="Outage\r\nBcc: attacker@example.test"))

    [received] = smtp_sink.received
    assert received.rcpt_tos == [ADDRESS]
    assert received.message.get_all("Subject") == ["Outage Bcc: attacker@example.test"]
    assert received.message["Bcc"] is None
    assert smtp_sink.messages_to("attacker@example.test") == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Outage\r\nBcc: x@example.test", "Outage Bcc: x@example.test"),
        ("a\n\n\nb", "a b"),
        ("tab\there", "tab here"),
        ("line\u2028separator", "line separator"),
        ("next\x85line", "next line"),
        ("  padded\r\n", "padded"),
    ],
)
def test_one_line_collapses_breaks(raw, expected):
    assert one_line(raw) == expected


def test_refused_recipient_is_permanent_failure(smtp_sink):
    smtp_sink.refuse.add("gone@example.test")

    with pytest.raises(NotificationFailed) as raised:
        send(make_message(), to="gone@example.test")

    assert raised.value.permanent
    assert "550" in raised.value.reason


def test_unreachable_server_is_temporary_failure(settings):
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False

    with pytest.raises(NotificationFailed) as raised:
        send(make_message())

    assert not raised.value.permanent


def test_batch_shares_one_connection(smtp_sink):
    batch = [
        (EmailConfig(to=f"user{index}@example.test"), make_message(key=f"k{index}"))
        for index in range(3)
    ]

    outcomes = list(EmailNotifier().send_many(batch))

    assert outcomes == [None, None, None]
    assert len(smtp_sink.received) == 3
    assert len({received.peer for received in smtp_sink.received}) == 1


def test_batch_continues_after_refused_recipient(smtp_sink):
    smtp_sink.refuse.add("gone@example.test")
    addresses = ["first@example.test", "gone@example.test", "last@example.test"]
    batch = [(EmailConfig(to=to), make_message()) for to in addresses]

    first, refused, last = EmailNotifier().send_many(batch)

    assert first is None
    assert refused.permanent
    assert "550" in refused.reason
    assert last is None
    assert [r.rcpt_tos for r in smtp_sink.received] == [
        ["first@example.test"],
        ["last@example.test"],
    ]


def test_batch_yields_before_sending_next(smtp_sink):
    batch = [
        (EmailConfig(to=f"user{index}@example.test"), make_message())
        for index in range(3)
    ]
    outcomes = EmailNotifier().send_many(batch)

    next(outcomes)
    received_after_first = len(smtp_sink.received)
    outcomes.close()

    assert received_after_first == 1
    assert len(smtp_sink.received) == 1


def test_unreachable_server_fails_whole_batch_once(settings, caplog):
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    batch = [
        (EmailConfig(to=f"user{index}@example.test"), make_message())
        for index in range(3)
    ]

    with caplog.at_level("WARNING", logger="plugins.email.notifier"):
        outcomes = list(EmailNotifier().send_many(batch))

    assert all(outcome is not None for outcome in outcomes)
    assert len(outcomes) == 3
    assert not any(outcome.permanent for outcome in outcomes)
    assert len(caplog.records) == 1


def test_missing_email_host_names_the_setting(settings):
    settings.EMAIL_HOST = ""

    with pytest.raises(NotificationFailed) as raised:
        send(make_message())

    assert "EMAIL_HOST" in raised.value.reason


def test_development_site_without_host_uses_email_backend(settings):
    from django.core import mail

    settings.EMAIL_HOST = ""
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    send(make_message())

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ADDRESS]


@pytest.mark.parametrize(
    "bad", ["", "not-an-address", "a@b\nBcc: c@d.test", "a,b@c.test"]
)
def test_invalid_address_is_rejected(bad):
    with pytest.raises(pydantic.ValidationError) as raised:
        EmailConfig(to=bad)

    assert raised.value.errors()[0]["loc"] == ("to",)


def test_describe_masks_local_part():
    config = EmailConfig(to="Ada.Lovelace@Example.TEST")

    assert EmailNotifier().describe(config) == "A•••@example.test"
    assert EmailNotifier().address(config) == "ada.lovelace@example.test"
