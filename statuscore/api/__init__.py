"""The django-ninja API: management endpoints and the public v2 JSON."""

from statuscore.api.root import api, api_urls

__all__ = ["api", "api_urls"]
