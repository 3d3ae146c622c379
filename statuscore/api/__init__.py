"""The django-ninja API: management endpoints and the public v2 JSON."""

from statuscore.api.root import api

__all__ = ["api"]
