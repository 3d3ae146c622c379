"""Render text that editors write in Markdown into safe HTML.

Renderers of editor text use :func:`render_markdown`; in statuscore these
are the HTML emails of incident and maintenance messages, through the
``markdown`` template filter. Two layers keep the output inert:

1. Python-Markdown runs without its raw-HTML processors, so ``<script>``
   or ``<img onerror=...>`` typed into a message comes out as visible,
   escaped text instead of markup.
2. nh3 (the ammonia sanitiser) then keeps only the tags and attributes in
   ``ALLOWED_TAGS`` and ``ALLOWED_ATTRIBUTES``, and only links whose scheme
   is http, https or mailto. Relative links are dropped too, because the
   same text is shown in emails and feeds, where they point nowhere.
   Every link gets ``rel="nofollow noopener"``.

Names and titles are not Markdown: templates print them with Django's
autoescaping.
"""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

__all__ = ["ALLOWED_TAGS", "render_markdown"]

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "ul",
    }
)
"""Tags kept in rendered Markdown. Images are left out: they would load
from any host in visitors' browsers and mail clients. Headings start at h3
so that an update never outranks the page's own headings."""

ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

URL_SCHEMES = frozenset({"http", "https", "mailto"})

MARKDOWN_EXTENSIONS = ["sane_lists", "nl2br", "fenced_code"]

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    url_relative="deny",
    link_rel="nofollow noopener",
    strip_comments=True,
)


def _markdown() -> markdown.Markdown:
    """Return a Markdown converter that treats raw HTML as text.

    A new converter per call, because ``markdown.Markdown`` keeps state
    between conversions and is not safe to share between threads.
    """
    converter = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter


def render_markdown(text: str) -> SafeString:
    """Return ``text``, written in Markdown, as sanitised HTML.

    Raw HTML in ``text`` is escaped, never passed through; the result keeps
    only ``ALLOWED_TAGS`` and links with the http, https or mailto scheme.
    An empty or missing text gives an empty string.
    """
    if not text:
        return mark_safe("")

    html = _markdown().convert(str(text))
    return mark_safe(_cleaner.clean(html))
