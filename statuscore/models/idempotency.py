from django.db import models


class IdempotencyRecord(models.Model):
    """The stored response to a POST sent with an ``Idempotency-Key`` header.

    ``scope`` is the principal that sent it (``user:<id>`` or
    ``key:<id>``), so two callers never see each other's responses.
    ``request_hash`` is the SHA-256 of the method, path, query and body, to
    tell a retry from a different request reusing the key. ``status_code``
    is empty while the first request is still running.
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    response_body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="unique_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
