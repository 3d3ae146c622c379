"""Every status page at a path of the main site: ``/pages/<slug>/``.

``<slug>`` is the core page's slug, the one the public JSON takes in
``?page=``. The page's routes and postmortems follow under that path, and
the page's links stay under it while it is served there (see
``StatusPage.get_url_parts``). A page's own domain does not serve these
paths (``statuscore.middleware.MAIN_HOST_ONLY_PATHS``).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from wagtail import hooks

from statuscms.models import StatusPage, main_site_path

__all__ = ["serve_status_page"]


def serve_status_page(request: HttpRequest, slug: str, path: str = "") -> HttpResponse:
    """Serve the live status page of core page ``slug``, routed by ``path``,
    as Wagtail's own ``serve`` view does for a site's root page."""
    status_page = (
        StatusPage.objects.live().filter(core_page__slug=slug).specific().first()
    )
    if status_page is None:
        raise Http404("No status page has this slug.")

    request.status_page_prefix = main_site_path(slug)
    request.status_page_id = status_page.pk
    components = [component for component in path.split("/") if component]
    page, args, kwargs = status_page.route(request, components)

    for hook in hooks.get_hooks("before_serve_page"):
        result = hook(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return page.serve(request, *args, **kwargs)
