"""The language a public page is shown in.

A visitor's ``Accept-Language`` header chooses among the languages whose
translations ship with the project; when it names none of them, the page's
own language applies. The choice reads only the header and the page, never
a cookie, a session or the query string, so a cache or a snapshot can keep
one variant per shipped language and pick it by the same function.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

__all__ = [
    "DEFAULT_LANGUAGE",
    "SHIPPED_LANGUAGES",
    "choose_language",
    "page_language",
    "parse_accept_language",
    "render_in_language",
    "respond_in_language",
    "set_language_headers",
]

SHIPPED_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es")
"""Languages with a complete translation of every visitor-facing string."""

DEFAULT_LANGUAGE = "en"
"""The language of a page whose own language is not shipped."""

# A language range of RFC 9110, section 12.5.4: "*" or 1 to 8 letters,
# then subtags of 1 to 8 letters or digits.
LANGUAGE_RANGE = re.compile(r"\A(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)\Z")
QUALITY = re.compile(r"\Aq=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\Z")

# Headers longer than this are ignored as a whole rather than parsed.
MAX_HEADER_LENGTH = 1000


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """Return the language ranges of an ``Accept-Language`` header, best first.

    Each range is lower-cased and paired with its quality, 1.0 when none is
    given. Ranges of equal quality keep the header's order. Malformed
    entries are skipped, and so are ranges of quality 0, which mean "not
    acceptable".
    """
    if not header or len(header) > MAX_HEADER_LENGTH:
        return []

    ranges = []
    for entry in header.split(","):
        tag, _, params = entry.strip().partition(";")
        tag = tag.strip().lower()
        if not LANGUAGE_RANGE.match(tag):
            continue
        quality = _quality(params)
        if quality:
            ranges.append((tag, quality))
    ranges.sort(key=lambda pair: pair[1], reverse=True)
    return ranges


def _quality(params: str) -> float | None:
    params = params.strip().replace(" ", "").lower()
    if not params:
        return 1.0
    match = QUALITY.match(params)
    return float(match.group(1)) if match else None


def _shipped(tag: str) -> str | None:
    """Return the shipped language ``tag`` falls under, such as de for de-AT."""
    tag = tag.strip().lower().replace("_", "-")
    if tag in SHIPPED_LANGUAGES:
        return tag
    primary = tag.split("-")[0]
    return primary if primary in SHIPPED_LANGUAGES else None


def page_language(page_default: str | None) -> str:
    """Return the shipped language of a page whose language is ``page_default``.

    A regional code falls back to its language (``de-CH`` to ``de``), and a
    language that does not ship to ``DEFAULT_LANGUAGE``.
    """
    return _shipped(page_default or "") or DEFAULT_LANGUAGE


def choose_language(accept_language: str | None, page_default: str | None) -> str:
    """Return the shipped language to show a page in.

    ``accept_language`` is the visitor's ``Accept-Language`` header, or
    ``None`` when absent; ``page_default`` is the page's own language
    (``statuscore.models.Page.language``). The range of highest quality that
    names a shipped language wins, and a regional range such as ``fr-CA``
    matches its language. ``*`` stands for the page's language. When no
    range matches, the page's language applies. The result is always one of
    ``SHIPPED_LANGUAGES``.
    """
    fallback = page_language(page_default)
    for tag, _quality in parse_accept_language(accept_language):
        if tag == "*":
            return fallback
        language = _shipped(tag)
        if language:
            return language
    return fallback


def set_language_headers(response: HttpResponse, language: str) -> HttpResponse:
    """Mark ``response`` as written in ``language`` and varying by the header."""
    response["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language"])
    return response


def respond_in_language(
    request: HttpRequest,
    page_default: str | None,
    get_response: Callable[[], HttpResponse],
) -> HttpResponse:
    """Call ``get_response`` in the language chosen for the visitor.

    The chosen language is left on ``request.LANGUAGE_CODE``, where the 404
    handler finds it if ``get_response`` raises ``Http404``.
    """
    language = choose_language(request.headers.get("Accept-Language"), page_default)
    request.LANGUAGE_CODE = language
    return render_in_language(language, get_response)


def render_in_language(
    language: str, get_response: Callable[[], HttpResponse]
) -> HttpResponse:
    """Call ``get_response`` with ``language`` active, render it and mark it.

    A ``TemplateResponse`` is rendered before the language is switched
    back, because its text is translated while it renders.
    """
    with translation.override(language):
        response = get_response()
        if isinstance(response, SimpleTemplateResponse):
            response.render()
    return set_language_headers(response, language)
