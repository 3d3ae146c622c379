"""The management API, mounted at ``/api/v1/``.

Each resource is a module with its own ``Router``, added to :data:`router`
below. Everything added here inherits three things:

- authentication with ``statuscore.api.auth.api_auth`` (a router or
  operation that must be open, such as signing in, passes ``auth=None``);
- the request limit per principal (:mod:`.throttling`);
- ``Idempotency-Key`` handling on every POST (:mod:`.idempotency`).

The conventions (errors, pagination, filters, timestamps) are described
in ``docs/api.md``.
"""

from ninja import Router

from statuscore.api.auth import api_auth
from statuscore.api.v1 import api_keys, auth, incidents, maintenances, pages
from statuscore.api.v1.idempotency import idempotent
from statuscore.api.v1.throttling import PrincipalRateThrottle

__all__ = ["RESOURCE_ROUTERS", "TAGS", "router"]

RESOURCE_ROUTERS = (
    auth.router,
    api_keys.router,
    pages.router,
    incidents.router,
    maintenances.router,
)

TAGS = [
    {"name": auth.TAG, "description": auth.TAG_DESCRIPTION},
    {"name": api_keys.TAG, "description": api_keys.TAG_DESCRIPTION},
    {"name": pages.TAG, "description": "Status pages of your organisations."},
    {"name": incidents.TAG, "description": incidents.TAG_DESCRIPTION},
    {"name": maintenances.TAG, "description": maintenances.TAG_DESCRIPTION},
]

router = Router(auth=api_auth, throttle=[PrincipalRateThrottle()])
router.add_decorator(idempotent, mode="view")
for resource_router in RESOURCE_ROUTERS:
    router.add_router("", resource_router)
