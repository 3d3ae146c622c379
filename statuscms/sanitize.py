"""Clean HTML that page blocks render before it reaches a visitor.

Wagtail cleans rich text when an editor saves it in the admin, but content
written by code, imported, or typed into a plain block and put into
markup by a block template is not cleaned. The public pages therefore
pass the rendered HTML of a StreamField through ``sanitize_html`` as a
second, output-side guard.
"""

from __future__ import annotations

import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

__all__ = ["ALLOWED_URL_SCHEMES", "sanitize_html"]

ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

# nh3's default tag list contains no executable element such as script,
# iframe, object, form or svg. Block templates also set classes and the
# machine-readable time of a <time>, so those attributes are added.
_ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class", "lang", "title"},
    "time": {"datetime"},
}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep an image's ``src`` only when it points into the media storage.

    Images on these pages come from Wagtail renditions. An ``<img>`` typed
    into rich text would make every visitor's browser fetch an address the
    editor chose, so its source is dropped.
    """
    # NOTE: a storage whose file URLs do not start with MEDIA_URL loses its
    # images here; such a deployment must set MEDIA_URL to its base URL.
    if tag == "img" and attribute == "src" and not value.startswith(settings.MEDIA_URL):
        return None
    return value


def sanitize_html(html: str) -> SafeString:
    """Return ``html`` with every tag, attribute and URL not on the allowlist removed.

    Event-handler attributes and ``style`` are dropped, and a URL with a
    scheme other than http, https or mailto loses its attribute, so
    ``javascript:`` and ``data:`` links cannot remain. Relative links are
    kept, and images keep their source only under ``MEDIA_URL``.
    """
    cleaned = nh3.clean(
        str(html),
        tags=set(nh3.ALLOWED_TAGS),
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=set(ALLOWED_URL_SCHEMES),
    )
    return mark_safe(cleaned)
