"""Encryption of stored secrets: channel tokens, webhook URLs, passwords.

Secrets are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package) before they reach the database, so a leaked
backup or a read-only SQL session does not hand out Slack tokens.

Keys come from ``STATUSCORE_ENCRYPTION_KEYS``: a list of Fernet keys, the
first used to encrypt and all of them tried to decrypt, so a key can be
rotated by putting the new one first. Without it, one key is derived from
``SECRET_KEY``, so ``make run`` works with no set-up. Rotating
``SECRET_KEY`` then makes stored secrets unreadable, as
``docs/notifications.md`` states.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["SecretUnreadable", "decrypt", "digest", "encrypt", "mask", "reset_keys"]


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured key."""


def _derived_key() -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"statuscore.secrets",
        info=b"fernet key",
    )
    return base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode()))


@functools.cache
def _fernet() -> MultiFernet:
    configured = getattr(settings, "STATUSCORE_ENCRYPTION_KEYS", None) or []
    keys = []
    for position, key in enumerate(configured):
        try:
            keys.append(Fernet(key))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"STATUSCORE_ENCRYPTION_KEYS item {position + 1} is not a Fernet "
                "key (32 url-safe base64-encoded bytes): "
                f"{error}"
            ) from error
    if not keys:
        keys.append(Fernet(_derived_key()))
    return MultiFernet(keys)


def reset_keys() -> None:
    """Forget the cached keys, for tests that change the settings."""
    _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    """Return ``plaintext`` encrypted with the first configured key."""
    return _fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """Return the plaintext of ``token``; raise :class:`SecretUnreadable`."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with the configured keys."
        ) from error


def digest(value: str) -> str:
    """Return a keyed hash of ``value`` for finding equal secrets.

    Encryption is randomised, so two encryptions of one address differ; this
    digest lets the database enforce "one subscription per address" without
    storing the address in the clear.
    """
    key = hashlib.sha256(b"statuscore.digest:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask(value: str, visible: int = 4) -> str:
    """Return ``value`` with all but its last ``visible`` characters hidden."""
    if len(value) <= visible * 2:
        return "•" * len(value)
    return "•" * 8 + value[-visible:]
