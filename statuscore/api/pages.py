"""Pick the status page that a public request is for."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.http.request import split_domain_port

from statuscore.access import is_public, require_access
from statuscore.exceptions import NotFound
from statuscore.models import Page

__all__ = ["PRIVATE_PAGE_ATTRIBUTE", "resolve_page"]

PRIVATE_PAGE_ATTRIBUTE = "statuscore_private_page"
"""Attribute set on a request that read a page which is not public, so
that response decorators keep the response out of shared caches."""


def _page_for_host(host: str) -> Page | None:
    # Page services store domains lower-case without a trailing dot, but
    # rows written another way may have either.
    matches = Q(domain__iexact=host) | Q(domain__iexact=f"{host}.")
    return Page.objects.filter(matches).first()


def resolve_page(request: HttpRequest, slug: str | None) -> Page:
    """Return the page for ``request`` if the visitor may read it.

    Raises ``NotFound`` naming ``page`` when no page is found, and
    ``statuscore.access.AccessDenied`` when the page's access rule denies
    the visitor (see :func:`statuscore.access.check_access`). The page is
    found this way:

    1. A page whose ``domain`` is the request's host wins. The host is
       compared without its port and trailing dot, ignoring case. On such a
       host a ``slug`` must name that same page, so one custom domain never
       shows another organisation's page.
    2. Otherwise ``slug``, from ``?page=``, picks the page.
    3. Otherwise, if exactly one page exists, it is the one.

    ``request.get_host()`` raises ``DisallowedHost`` for a host outside
    ``ALLOWED_HOSTS``, which Django turns into a 400 response.
    """
    page = _find_page(request, slug)
    if not is_public(page):
        setattr(request, PRIVATE_PAGE_ATTRIBUTE, True)
        require_access(request, page)
    return page


def _find_page(request: HttpRequest, slug: str | None) -> Page:
    # An empty ?page= means no choice, as if it were left out.
    slug = slug or None
    host, _port = split_domain_port(request.get_host())
    page = _page_for_host(host) if host else None
    if page is not None:
        if slug is not None and slug != page.slug:
            raise NotFound(
                f"The host {host!r} serves the page {page.slug!r}, not "
                f"?page={slug}. Leave out ?page= on this host."
            )
        return page

    if slug is not None:
        # PostgreSQL cannot compare text holding a NUL; no slug contains one.
        page = None if "\x00" in slug else Page.objects.filter(slug=slug).first()
        if page is None:
            raise NotFound(f"No status page has the slug {slug!r} given in ?page=.")
        return page

    pages = list(Page.objects.all()[:2])
    if len(pages) == 1:
        return pages[0]
    raise NotFound(
        f"No status page is served at the host {host!r}. Choose one with ?page=<slug>."
    )
