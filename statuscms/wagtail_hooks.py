"""Register the statuscms admin screens with Wagtail."""

from wagtail import hooks

from statuscms.notification_views import NotificationViewSetGroup
from statuscms.views import StatusViewSetGroup


@hooks.register("register_admin_viewset")
def register_status_viewsets() -> StatusViewSetGroup:
    return StatusViewSetGroup()


@hooks.register("register_admin_viewset")
def register_notification_viewsets() -> NotificationViewSetGroup:
    return NotificationViewSetGroup()
