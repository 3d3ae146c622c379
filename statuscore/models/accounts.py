"""Credentials of the management API: organisation API keys and the refresh
tokens of signed-in users.

Neither table stores a usable secret. A key or a refresh token is a random
string shown once, and only its SHA-256 digest is kept. The secrets carry
256 bits of randomness, so a fast unsalted digest is enough: there is
nothing to guess offline, unlike a password.
"""

from django.conf import settings
from django.db import models

from statuscore.models.organizations import Organization


class ApiScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"


class ApiKey(models.Model):
    """A credential a script uses to call the API for one organisation."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=16,
        unique=True,
        help_text="The first characters of the key, shown in listings so that "
        "people can tell keys apart.",
    )
    secret_digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Updated at most once a minute, so busy keys do not write "
        "on every request.",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RefreshToken(models.Model):
    """One refresh token of a sign-in; rotation chains tokens into a family.

    Every refresh marks the presented token used and issues its successor
    in the same family. A used token presented again means that someone
    has a copy, so the whole family is revoked.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="refresh_tokens",
    )
    family = models.UUIDField(db_index=True)
    token_digest = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"Refresh token {self.pk} of user {self.user_id} ({self.family})"
