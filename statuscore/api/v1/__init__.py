"""The management API, mounted at ``/api/v1/``.

Each resource is a module with its own ``Router``, added to :data:`router`
below. Everything added here inherits three things:

- authentication with ``statuscore.api.auth.api_auth`` (a router or
  operation that must be open, such as signing in, passes ``auth=None``);
- the request limit per principal (:mod:`.throttling`);
- ``Idempotency-Key`` handling on every POST (:mod:`.idempotency`);
- a 422 for NUL characters in the query or body (:mod:`.inputs`).

The conventions (errors, pagination, filters, timestamps) are described
in ``docs/api.md``.
"""

from ninja import Router

from statuscore.api.auth import api_auth
from statuscore.api.v1 import (
    api_keys,
    auth,
    channels,
    checks,
    components,
    incidents,
    maintenances,
    organizations,
    pages,
    plugins,
    subscribers,
)
from statuscore.api.v1.idempotency import idempotent
from statuscore.api.v1.inputs import reject_nul_characters
from statuscore.api.v1.throttling import PrincipalRateThrottle

__all__ = ["RESOURCE_ROUTERS", "TAGS", "router"]

RESOURCE_ROUTERS = (
    auth.router,
    api_keys.router,
    organizations.router,
    pages.router,
    components.router,
    checks.router,
    incidents.router,
    maintenances.router,
    channels.router,
    subscribers.router,
    plugins.router,
)

TAGS = [
    {"name": auth.TAG, "description": auth.TAG_DESCRIPTION},
    {"name": api_keys.TAG, "description": api_keys.TAG_DESCRIPTION},
    {
        "name": organizations.TAG,
        "description": "Organisations and their members; owners manage members.",
    },
    {"name": pages.TAG, "description": "Status pages of your organisations."},
    {"name": components.TAG, "description": "Components and component groups."},
    {
        "name": checks.TAG,
        "description": "Uptime checks, their results and daily uptime.",
    },
    {"name": incidents.TAG, "description": incidents.TAG_DESCRIPTION},
    {"name": maintenances.TAG, "description": maintenances.TAG_DESCRIPTION},
    {"name": channels.TAG, "description": "Where the team's own alerts go."},
    {"name": subscribers.TAG, "description": "Subscribers of your pages."},
    {"name": plugins.TAG, "description": "Installed checkers and notifiers."},
]

router = Router(auth=api_auth, throttle=[PrincipalRateThrottle()])
router.add_decorator(idempotent, mode="view")
router.add_decorator(reject_nul_characters, mode="view")
for resource_router in RESOURCE_ROUTERS:
    router.add_router("", resource_router)
