"""Respond with 404 to Wagtail's own admin URLs that name another organisation's
page, user or group, and 403 for Wagtail's installation-wide reports.

The statuscms screens scope their objects themselves
(``statuscms.permissions``). Wagtail's page, user, group and bulk action
views check only permissions, and for a page without them they redirect
to the dashboard, or, in the page chooser and workflow screens, show its
title. This middleware looks at the ids in the URL before the view runs,
so another organisation's object is not found, as it is on every other
screen.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import Http404
from django.urls import reverse
from wagtail.models import Page as WagtailPage

from statuscms.permissions import forbidden_response
from statuscms.scope import (
    is_visible,
    organization_path,
    scope_queryset,
    visible_organizations,
)

__all__ = ["AdminObjectScopeMiddleware"]

logger = logging.getLogger(__name__)

# URL keyword arguments that name a Wagtail page.
PAGE_KWARGS = (
    "page_id",
    "parent_page_id",
    "page_to_move_id",
    "destination_id",
    "page_pk",
)

# Wagtail views that count or name the pages of every organisation, and
# so are for superusers only: the page types report shows the title of the
# page of each type edited last, wherever it is.
SUPERUSER_ONLY_VIEWS = (
    "wagtailadmin_reports:page_types_usage",
    "wagtailadmin_reports:page_types_usage_results",
)

# URL namespaces whose ``pk`` or ``object_id`` names a page.
PAGE_NAMESPACES = ("wagtailadmin_pages", "wagtailadmin_api:pages")


def _page_visible(page_id, user) -> bool:
    """Return whether the page is neither another organisation's status
    page nor below one."""
    from statuscms.models import StatusPage

    page = WagtailPage.objects.filter(pk=page_id).first()
    if page is None:
        return True
    step = page.steplen
    ancestor_paths = [page.path[:end] for end in range(step, len(page.path) + 1, step)]
    status_pages = StatusPage.objects.filter(path__in=ancestor_paths)
    return all(is_visible(status_page, user) for status_page in status_pages)


def _user_visible(user_id, user) -> bool:
    """Return whether ``user_id`` is the user or a member of one of their
    organisations; users of no organisation are left to Wagtail."""
    other = get_user_model().objects.filter(pk=user_id).first()
    if other is None or other.pk == user.pk or not other.memberships.exists():
        return True
    return other.memberships.filter(
        organization__in=visible_organizations(user).values("pk")
    ).exists()


def _group_visible(group_id, user) -> bool:
    group = (
        Group.objects.filter(pk=group_id).select_related("organization_role").first()
    )
    if group is None or not hasattr(group, "organization_role"):
        return True
    return is_visible(group.organization_role, user)


def _bulk_ids_visible(request, kwargs, user) -> bool:
    """Return whether every ``id`` of a bulk action is visible to ``user``."""
    ids = [value for value in request.GET.getlist("id") if value.isdigit()]
    try:
        model = apps.get_model(
            kwargs.get("app_label", ""), kwargs.get("model_name", "")
        )
    except (LookupError, ValueError):
        return True
    if issubclass(model, WagtailPage):
        return all(_page_visible(pk, user) for pk in ids)
    if model is get_user_model():
        return all(_user_visible(pk, user) for pk in ids)
    if organization_path(model) is not None:
        visible = scope_queryset(model._default_manager.filter(pk__in=ids), user)
        return visible.count() == len(set(ids))
    return True


class AdminObjectScopeMiddleware:
    """Raise ``Http404`` for an admin URL that names an object of an
    organisation the signed-in user is not a member of.

    Superusers and anonymous requests pass through unchanged; Wagtail's
    own login check handles the latter.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The path first: reading request.user loads the session and adds
        # "Vary: Cookie", which public pages must not carry.
        match = request.resolver_match
        if match is None or not request.path.startswith(reverse("wagtailadmin_home")):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_superuser:
            return None

        if match.view_name in SUPERUSER_ONLY_VIEWS:
            logger.info("User %s denied %s: superusers only", user.pk, match.view_name)
            return forbidden_response(request)

        if not self._visible(request, match, view_kwargs, user):
            logger.info(
                "User %s asked for %s with another organisation's object: %s",
                user.pk,
                match.view_name,
                view_kwargs,
            )
            raise Http404("Not found.")
        return None

    def _visible(self, request, match, kwargs, user) -> bool:
        for name in PAGE_KWARGS:
            if name in kwargs and not _page_visible(kwargs[name], user):
                return False

        namespace = match.namespace
        object_id = kwargs.get("pk", kwargs.get("object_id"))
        if object_id is not None and str(object_id).isdigit():
            if namespace in PAGE_NAMESPACES or kwargs.get("model_name") == "page":
                return _page_visible(object_id, user)
            if namespace == "wagtailusers_users":
                return _user_visible(object_id, user)
            if namespace == "wagtailusers_groups":
                return _group_visible(object_id, user)

        if match.url_name == "wagtail_bulk_action":
            return _bulk_ids_visible(request, kwargs, user)
        return True
