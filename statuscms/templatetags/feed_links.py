"""The ``<link rel="alternate">`` tags that announce a status page's feeds."""

from __future__ import annotations

from django import template

from statuscms.addresses import file_address

register = template.Library()


@register.inclusion_tag("statuscms/includes/feed_links.html")
def feed_links(page) -> dict:
    """Return the feed and calendar addresses of ``page`` for the page head.

    ``page`` is the template's Wagtail page. Pages that are not status
    pages, such as postmortems, get no links.
    """
    if not hasattr(page, "core_page_id"):
        return {"feeds": None}
    return {
        "feeds": {
            "rss": file_address(page, "rss"),
            "atom": file_address(page, "atom"),
            "calendar": file_address(page, "calendar"),
        },
        "title": page.title,
    }
