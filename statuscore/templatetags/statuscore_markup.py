"""Template filters for text that editors write.

``{{ update.body|markdown }}`` renders Markdown through
``statuscore.markup.render_markdown``, which escapes raw HTML and keeps
only an allowlist of tags and http, https and mailto links.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from statuscore.markup import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render ``text`` as sanitised Markdown."""
    return render_markdown(text)
