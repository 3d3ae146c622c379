import pytest
from cryptography.fernet import Fernet
from django.db import connection

from statuscore import secrets
from statuscore.models import AlertChannel


@pytest.fixture(autouse=True)
def fresh_keys():
    secrets.reset_keys()
    yield
    secrets.reset_keys()


def test_encrypt_then_decrypt_returns_the_plaintext():
    token = secrets.encrypt("xoxb-secret")

    assert token != "xoxb-secret"
    assert secrets.decrypt(token) == "xoxb-secret"


def test_token_from_other_key_unreadable(settings):
    settings.STATUSCORE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = secrets.encrypt("xoxb-secret")
    settings.STATUSCORE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    secrets.reset_keys()

    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(token)


def test_old_key_listed_second_decrypts(settings):
    old = Fernet.generate_key().decode()
    settings.STATUSCORE_ENCRYPTION_KEYS = [old]
    token = secrets.encrypt("xoxb-secret")
    settings.STATUSCORE_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    secrets.reset_keys()

    assert secrets.decrypt(token) == "xoxb-secret"


def test_malformed_key_names_setting(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.STATUSCORE_ENCRYPTION_KEYS = ["not-a-key"]

    with pytest.raises(ImproperlyConfigured, match="STATUSCORE_ENCRYPTION_KEYS"):
        secrets.encrypt("x")


def test_digest_is_stable_and_differs_per_value():
    assert secrets.digest("a@example.test") == secrets.digest("a@example.test")
    assert secrets.digest("a@example.test") != secrets.digest("b@example.test")


def test_mask_keeps_only_the_last_characters():
    masked = secrets.mask("https://hooks.example.test/T000/B000/abcdef")

    assert masked.endswith("cdef")
    assert "hooks" not in masked


@pytest.mark.django_db
def test_channel_config_is_stored_encrypted(page):
    channel = AlertChannel.objects.create(
        page=page, name="Ops", notifier="slack", config={"token": "xoxb-secret"}
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT config FROM statuscore_alertchannel WHERE id = %s", [channel.pk]
        )
        (raw,) = cursor.fetchone()

    assert "xoxb-secret" not in raw
    assert AlertChannel.objects.get(pk=channel.pk).config == {"token": "xoxb-secret"}
