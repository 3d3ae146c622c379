"""Register the statuscms admin screens with Wagtail."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from statuscms.draft_views import IncidentDraftViewSet
from statuscms.notification_views import NotificationViewSetGroup
from statuscms.views import StatusViewSetGroup


@hooks.register("register_admin_viewset")
def register_status_viewsets() -> StatusViewSetGroup:
    return StatusViewSetGroup()


@hooks.register("register_admin_viewset")
def register_notification_viewsets() -> NotificationViewSetGroup:
    return NotificationViewSetGroup()


register_snippet(IncidentDraftViewSet)
