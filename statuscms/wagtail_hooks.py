"""Register the statuscms admin screens with Wagtail."""

from wagtail import hooks

from statuscms.views import StatusViewSetGroup


@hooks.register("register_admin_viewset")
def register_status_viewsets() -> StatusViewSetGroup:
    return StatusViewSetGroup()
