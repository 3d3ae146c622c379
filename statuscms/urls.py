"""Public URLs of statuscms besides Wagtail's page routes.

- The file names of a status page. Wagtail's own URL pattern serves only
  paths made of slash-terminated segments without dots, so
  ``<page>/feed.rss`` never reaches a page. This pattern takes those file
  names and hands them to Wagtail's ``serve`` as ``<page>/feed.rss/``,
  which ``StatusPage``'s routes serve.
- The target of the "Subscribe to updates" forms
  (``statuscms.subscribe_views``).

Include it before Wagtail's URLs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from wagtail import views as wagtail_views

from statuscms import subscribe_views

__all__ = ["PAGE_FILES", "urlpatterns"]

PAGE_FILES = ("feed.rss", "feed.atom", "maintenances.ics", "badge.svg")


def serve_page_file(request: HttpRequest, page_path: str, name: str) -> HttpResponse:
    """Serve the file ``name`` of the page at ``page_path`` through its route."""
    return wagtail_views.serve(request, f"{page_path}{name}/")


_names = "|".join(name.replace(".", r"\.") for name in PAGE_FILES)

urlpatterns = [
    path(
        "subscriptions/page/<int:page_id>/",
        subscribe_views.subscribe,
        name="statuscms-subscribe",
    ),
    re_path(
        rf"^(?P<page_path>(?:[\w\-]+/)*)(?P<name>{_names})$",
        serve_page_file,
        name="statuscms_page_file",
    ),
]
