"""Register the statuscms admin screens, log entries and page rules with Wagtail."""

from __future__ import annotations

import logging

from django.apps import apps
from wagtail import hooks
from wagtail.models import Page as WagtailPage
from wagtail.permission_policies.pages import PagePermissionPolicy

from statuscms.audit import register_member_actions
from statuscms.member_admin import MemberViewSet
from statuscms.notification_views import NotificationViewSetGroup
from statuscms.organization_models import OrganizationLogEntry
from statuscms.permissions import forbidden_response
from statuscms.scope import SCOPED_APPS, has_role, organization_id_of
from statuscms.views import StatusViewSetGroup
from statuscore.models import Role

logger = logging.getLogger(__name__)


@hooks.register("register_admin_viewset")
def register_status_viewsets() -> StatusViewSetGroup:
    return StatusViewSetGroup()


@hooks.register("register_admin_viewset")
def register_notification_viewsets() -> NotificationViewSetGroup:
    return NotificationViewSetGroup()


@hooks.register("register_admin_viewset")
def register_member_viewset() -> MemberViewSet:
    return MemberViewSet()


@hooks.register("register_log_actions")
def register_organization_log_entries(actions) -> None:
    """Log changes to every model of statuscore and statuscms (pages aside)
    as ``OrganizationLogEntry`` rows, which record the organisation, and
    register the membership actions.

    Wagtail pages keep Wagtail's ``PageLogEntry``, which page permissions
    already scope.
    """
    for app_label in SCOPED_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if issubclass(model, WagtailPage) or model is OrganizationLogEntry:
                continue
            actions.register_model(model, OrganizationLogEntry)
    register_member_actions(actions)


@hooks.register("construct_page_chooser_queryset")
def limit_page_chooser(pages, request):
    """Offer only the pages the user may explore, as the explorer does.

    Wagtail's page chooser lists every page by default, which would show
    other organisations' page titles.
    """
    if request.user.is_superuser:
        return pages
    explorable = PagePermissionPolicy().explorable_instances(request.user)
    return pages.filter(pk__in=explorable.values("pk"))


def _require_owner_for_status_page(request, page):
    """Return a 403 response unless the user owns the status page's
    organisation, or None to let Wagtail go on.

    Editors have page permissions on the status page so that they can add
    pages below it, such as postmortems, but its settings (title, branding,
    subscription channels) and its place in the tree are the owners'.
    """
    from statuscms.models import StatusPage

    specific = page.specific_deferred if isinstance(page, WagtailPage) else page
    if not isinstance(specific, StatusPage):
        return None
    if has_role(request.user, organization_id_of(specific), (Role.OWNER,)):
        return None
    logger.info(
        "User %s denied a change to status page %s: not an owner",
        request.user.pk,
        page.pk,
    )
    return forbidden_response(request)


@hooks.register("before_edit_page")
def require_owner_to_edit_status_page(request, page):
    return _require_owner_for_status_page(request, page)


@hooks.register("before_delete_page")
def require_owner_to_delete_status_page(request, page):
    return _require_owner_for_status_page(request, page)


@hooks.register("before_unpublish_page")
def require_owner_to_unpublish_status_page(request, page):
    return _require_owner_for_status_page(request, page)


@hooks.register("before_move_page")
def require_owner_to_move_status_page(request, page, destination):
    return _require_owner_for_status_page(request, page)


@hooks.register("before_copy_page")
def require_owner_to_copy_status_page(request, page):
    return _require_owner_for_status_page(request, page)


@hooks.register("construct_reports_menu")
def hide_installation_wide_reports(request, menu_items) -> None:
    """Hide the page types report from everyone but superusers, who alone
    may open it, because it names the pages of every organisation."""
    if request.user.is_superuser:
        return
    menu_items[:] = [item for item in menu_items if item.name != "page-types-usage"]
