"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

from statussite.env import load_env_file

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statussite.settings.base")
load_env_file()

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from statussite.asgi_hosts import WebSocketHostValidator  # noqa: E402
from statussite.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WebSocketHostValidator(URLRouter(websocket_urlpatterns)),
    }
)
