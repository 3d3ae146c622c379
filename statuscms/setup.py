"""Create the Wagtail side of a core page, for loaders and first-run setup."""

from __future__ import annotations

import logging

from django.db import transaction
from wagtail.models import Page as WagtailPage
from wagtail.models import Site

from statuscms.models import StatusPage
from statuscore.models import Page

__all__ = ["ensure_status_page"]

logger = logging.getLogger(__name__)


def _free_slug(slug: str, parent: WagtailPage) -> str:
    """Return ``slug``, or ``slug-2``, ``slug-3``... if a sibling already has it."""
    candidate = slug
    suffix = 1
    while parent.get_children().filter(slug=candidate).exists():
        suffix += 1
        candidate = f"{slug}-{suffix}"
    return candidate


def _create_status_page(core_page: Page) -> StatusPage:
    root = WagtailPage.get_first_root_node()
    status_page = StatusPage(
        title=core_page.name,
        slug=_free_slug(core_page.slug, root),
        core_page=core_page,
    )
    root.add_child(instance=status_page)
    status_page.save_revision().publish()
    logger.info("Status page %s created for core page %s", status_page.pk, core_page.pk)
    return status_page


def _make_default_site_root(status_page: StatusPage) -> None:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            site_name=status_page.title,
            root_page=status_page,
            is_default_site=True,
        )
        logger.info("Default site created with status page %s as root", status_page.pk)
        return

    if site.root_page_id != status_page.pk:
        old_root_id = site.root_page_id
        site.root_page = status_page
        site.save(update_fields=["root_page"])
        logger.info(
            "Default site %s root moved from page %s to status page %s",
            site.pk,
            old_root_id,
            status_page.pk,
        )


@transaction.atomic
def ensure_status_page(core_page: Page, *, make_site_root: bool = True) -> StatusPage:
    """Return the StatusPage of ``core_page``, creating and publishing it if needed.

    1. If ``core_page`` already has a StatusPage, wherever an editor has
       moved it in the tree, that page is returned unchanged. Otherwise a
       new one is created as a child of the Wagtail root, titled with the
       core page's name and slugged with its slug, suffixed ``-2``, ``-3``...
       when a sibling already uses the slug. It is published at once.
    2. With ``make_site_root``, the default Wagtail Site is pointed at that
       page, so the site's address serves it. If there is no default Site,
       one is created for ``localhost`` on port 80. The previous root, such
       as Wagtail's "Welcome" page, stays in the tree but is no longer
       served.

    Calling it again with the same arguments creates and changes nothing.
    Two concurrent first calls for the same core page cannot both succeed,
    because ``StatusPage.core_page`` is unique; the loser raises
    ``IntegrityError``.
    """
    status_page = StatusPage.objects.filter(core_page=core_page).first()
    if status_page is None:
        status_page = _create_status_page(core_page)

    if make_site_root:
        _make_default_site_root(status_page)
    return status_page
