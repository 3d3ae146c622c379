"""Custom domains of status pages, served through Wagtail sites.

A core page's ``domain`` is the one place a custom domain is stored. The
core page services send ``page_domain_changed`` inside their transaction
whenever it is set, changed or cleared, through any door (the admin, the
API, a loader). :func:`sync_site` then makes a Wagtail ``Site`` for that
host name, on port 443, whose root page is the page's ``StatusPage``. Wagtail
then serves the page at ``https://<domain>/``, with its routes under it.
A status page created for a core page that already has a domain gets its
site when it is first saved.
"""

from __future__ import annotations

import logging

from wagtail.models import Site

from statuscore.exceptions import ValidationFailed
from statuscore.models import Page

__all__ = ["CUSTOM_DOMAIN_PORT", "sync_site"]

logger = logging.getLogger(__name__)

CUSTOM_DOMAIN_PORT = 443
"""Port of the sites made for custom domains. Custom domains are served
behind a TLS proxy, and Wagtail writes a site on port 443 as ``https://``."""


def sync_site(status_page, previous_domain: str = "") -> Site | None:
    """Make the Wagtail site of ``status_page``'s custom domain match the
    core page's ``domain``; return that site, or None when there is none.

    The site of ``previous_domain`` is renamed, or deleted when the domain
    was cleared. Raises ``ValidationFailed`` naming ``domain`` when another
    site already serves the host name with another root page, which rolls
    the domain change back.
    """
    domain = status_page.core_page.domain
    old_site = None
    if previous_domain and previous_domain != domain:
        old_site = Site.objects.filter(
            hostname=previous_domain, root_page=status_page, is_default_site=False
        ).first()

    if not domain:
        if old_site is not None:
            old_site.delete()
            logger.info(
                "Site %s of %s deleted with status page %s's domain",
                old_site.pk,
                previous_domain,
                status_page.pk,
            )
        return None

    taken = Site.objects.filter(hostname=domain).exclude(root_page=status_page)
    if taken.exists():
        raise ValidationFailed.for_field(
            "domain",
            f"The Wagtail site {taken.first()} already serves {domain} with "
            "another root page; change or delete that site first.",
        )

    current = Site.objects.filter(hostname=domain, root_page=status_page).first()
    if current is not None:
        if old_site is not None:
            old_site.delete()
        return current

    if old_site is not None:
        old_site.hostname = domain
        old_site.save(update_fields=["hostname"])
        logger.info("Site %s renamed to %s", old_site.pk, domain)
        return old_site

    site = Site.objects.create(
        hostname=domain,
        port=CUSTOM_DOMAIN_PORT,
        site_name=status_page.title,
        root_page=status_page,
    )
    logger.info(
        "Site %s created for status page %s at %s", site.pk, status_page.pk, domain
    )
    return site


def follow_domain_change(sender, page: Page, previous_domain: str, **kwargs) -> None:
    """Receive ``page_domain_changed``: update the site of the page's
    status page, if it has one yet."""
    from statuscms.models import StatusPage

    status_page = StatusPage.objects.filter(core_page=page).first()
    if status_page is not None:
        sync_site(status_page, previous_domain)


def give_new_page_its_site(sender, instance, created=False, raw=False, **kwargs):
    """Receive ``post_save`` of a ``StatusPage``: a new status page of a core
    page that has a domain gets its site."""
    if created and not raw and instance.core_page.domain:
        sync_site(instance)
