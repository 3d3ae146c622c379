"""Keep the core page in step with the status page that shows it."""

from __future__ import annotations

import logging

from wagtail.signals import page_published

from statuscms.models import StatusPage
from statuscore import services

logger = logging.getLogger(__name__)


def rename_core_page(sender, instance: StatusPage, **kwargs) -> None:
    """Rename the core page to the published title, so the API shows it.

    It runs on publish and not on save, because a draft title is not yet
    public.
    """
    core_page = instance.core_page
    if core_page.name == instance.title:
        return

    old_name = core_page.name
    services.update_page(core_page, name=instance.title)
    logger.info(
        "Core page %s renamed from %r to %r after status page %s was published",
        core_page.pk,
        old_name,
        instance.title,
        instance.pk,
    )


def connect() -> None:
    page_published.connect(
        rename_core_page, sender=StatusPage, dispatch_uid="statuscms.rename_core_page"
    )
