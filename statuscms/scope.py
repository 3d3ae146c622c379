"""Which status pages an admin user may see.

A superuser can view every page, and anyone else the pages of the
organisations they are a member of. Admin screens that list or open
objects of a page filter by :func:`visible_pages`, so another
organisation's objects are not found (404) rather than forbidden (403).
"""

from __future__ import annotations

from django.db.models import QuerySet

from statuscore.models import Page

__all__ = ["visible_pages"]


def visible_pages(user) -> QuerySet[Page]:
    """Return the pages ``user`` may see in the admin; none for no user."""
    if user is None or not user.is_authenticated:
        return Page.objects.none()
    if user.is_superuser:
        return Page.objects.all()
    return Page.objects.filter(organization__memberships__user=user)
