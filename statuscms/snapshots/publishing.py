"""Announce Wagtail changes of a status page through the outbox.

Branding, intro and footer live on the Wagtail ``StatusPage``, not in the
core, so a publish changes no core row. These receivers write a
``page.updated`` event for it through ``statuscore.services``, which the
refresher of every web process reads like any other event.
"""

from __future__ import annotations

import logging

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished

from statuscms.models import StatusPage
from statuscore import services

__all__ = ["connect"]

logger = logging.getLogger(__name__)


def _announce(instance: StatusPage, reason: str) -> None:
    core_page_id = instance.core_page_id
    if core_page_id is None:
        return
    from statuscore.models import Page

    core_page = Page.objects.filter(pk=core_page_id).first()
    if core_page is None:
        return
    # Inside the publishing transaction, so the event commits with the
    # published revision and a refresher that reads it sees the revision.
    services.announce_page_change(core_page, reason)


def announce_publish(sender, instance: StatusPage, **kwargs) -> None:
    _announce(instance, "published")


def announce_unpublish(sender, instance: StatusPage, **kwargs) -> None:
    _announce(instance, "unpublished")


def announce_delete(sender, instance: StatusPage, **kwargs) -> None:
    _announce(instance, "deleted")


def connect() -> None:
    page_published.connect(
        announce_publish,
        sender=StatusPage,
        dispatch_uid="statuscms.snapshots.announce_publish",
    )
    page_unpublished.connect(
        announce_unpublish,
        sender=StatusPage,
        dispatch_uid="statuscms.snapshots.announce_unpublish",
    )
    post_delete.connect(
        announce_delete,
        sender=StatusPage,
        dispatch_uid="statuscms.snapshots.announce_delete",
    )
