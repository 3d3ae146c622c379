"""ASGI entry point: HTTP through the snapshot fast path and Django,
WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

from statussite.env import load_env_file

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statussite.settings.base")
load_env_file()

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from statussite.routing import websocket_urlpatterns  # noqa: E402

http_app = django_asgi_app
if settings.STATUS_SNAPSHOTS:
    from statuscms.snapshots.builder import snapshot_scheme
    from statuscms.snapshots.fastpath import SnapshotMiddleware
    from statuscms.snapshots.refresher import start_refresher

    # The refresher starts with the first request rather than at import,
    # so that importing this module (as tests and checks do) starts no
    # thread.
    http_app = SnapshotMiddleware(
        django_asgi_app, scheme=snapshot_scheme(), on_first_request=start_refresher
    )

application = ProtocolTypeRouter(
    {
        "http": http_app,
        # The session and user in the scope let members-only and password
        # pages decide on the socket as they do on the page.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
