"""WebSocket routes."""

from django.urls import re_path

from statuscms.live.consumers import PageConsumer

websocket_urlpatterns = [
    # The live updates of the status page served at the rest of the path.
    re_path(r"^ws/live/(?P<page_path>.*)$", PageConsumer.as_asgi()),
]
