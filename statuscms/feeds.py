"""RSS 2.0 and Atom feeds of a status page's public incidents.

Each entry is one incident update, newest first, so a feed reader learns
of every step of an incident, its resolution included, as a new entry.
The feeds are built by Django's syndication framework, which writes them
with an XML serialiser; nothing is assembled from string templates.
Editor text passes through :func:`strip_control_characters` first,
because XML 1.0 cannot carry NUL, vertical tab and the other controls.

Ids are tag URIs (RFC 4151) built from the canonical host, the day the
incident was created and the update's id, so they stay the same however
often the feed is built. Every link is absolute and canonical (see
``statuscms.addresses``).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext

from statuscms.addresses import file_address, page_address, page_host
from statuscms.controlchars import strip_control_characters
from statuscore.markup import render_markdown
from statuscore.models import IncidentUpdate

__all__ = ["FEED_ENTRIES", "AtomIncidentFeed", "RssIncidentFeed", "update_tag_uri"]

FEED_ENTRIES = 50
"""How many updates a feed holds, the newest ones."""


class _StableDateMixin:
    """Date an empty feed by the page's last change instead of the current time.

    Django dates a feed without items "now", which would change the bytes,
    the ``Last-Modified`` header and the ETag on every build.
    """

    def latest_post_date(self) -> datetime:
        if self.items:
            return super().latest_post_date()
        return self.feed["empty_feed_date"]


class _RssGenerator(_StableDateMixin, Rss201rev2Feed):
    pass


class _AtomGenerator(_StableDateMixin, Atom1Feed):
    pass


def update_tag_uri(status_page, update: IncidentUpdate) -> str:
    """Return the permanent id of ``update`` in the feeds of ``status_page``."""
    created = update.incident.created_at.date().isoformat()
    return (
        f"tag:{page_host(status_page)},{created}:"
        f"incident-{update.incident_id}/update-{update.pk}"
    )


def incident_address(status_page, incident_id: int) -> str:
    return f"{page_address(status_page)}incidents/{incident_id}/"


class RssIncidentFeed(Feed):
    """The RSS 2.0 feed of a status page.

    Call a new instance per request: ``RssIncidentFeed()(request,
    status_page=page)``.
    """

    feed_type = _RssGenerator
    file_kind = "rss"

    def get_object(self, request, status_page):
        # The item methods below are called with the item alone, so the
        # page is kept here. Build a new feed object for each request.
        self._status_page = status_page
        return status_page

    def title(self, status_page) -> str:
        return strip_control_characters(status_page.title)

    def link(self, status_page) -> str:
        return page_address(status_page)

    def feed_url(self, status_page) -> str:
        return file_address(status_page, self.file_kind)

    def description(self, status_page) -> str:
        return gettext("Incidents and their updates on %(page)s.") % {
            "page": strip_control_characters(status_page.title)
        }

    def author_name(self, status_page) -> str:
        return strip_control_characters(status_page.title)

    def feed_extra_kwargs(self, status_page) -> dict:
        return {"empty_feed_date": status_page.core_page.updated_at}

    def items(self, status_page):
        return (
            IncidentUpdate.objects.filter(
                incident__page=status_page.core_page, incident__is_public=True
            )
            .select_related("incident")
            .order_by("-display_at", "-id")[:FEED_ENTRIES]
        )

    def item_title(self, update: IncidentUpdate) -> str:
        return gettext("%(status)s: %(incident)s") % {
            "status": update.get_status_display(),
            "incident": strip_control_characters(update.incident.name),
        }

    def item_description(self, update: IncidentUpdate) -> str:
        # Stripped before Markdown too, which uses STX and ETX as markers.
        html = render_markdown(strip_control_characters(update.body))
        return strip_control_characters(html)

    def item_link(self, update: IncidentUpdate) -> str:
        return incident_address(self._status_page, update.incident_id)

    def item_guid(self, update: IncidentUpdate) -> str:
        return update_tag_uri(self._status_page, update)

    item_guid_is_permalink = False

    def item_pubdate(self, update: IncidentUpdate) -> datetime:
        return update.display_at

    def item_updateddate(self, update: IncidentUpdate) -> datetime:
        if update.edited_at and update.edited_at > update.display_at:
            return update.edited_at
        return update.display_at


class AtomIncidentFeed(RssIncidentFeed):
    """The Atom feed of a status page; the same entries as the RSS feed."""

    feed_type = _AtomGenerator
    file_kind = "atom"
    subtitle = RssIncidentFeed.description
