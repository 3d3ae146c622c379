from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from statuscore import __version__
from statuscore.api import push, subscribers, v2
from statuscore.exceptions import NotFound

api = NinjaAPI(
    title="Status page API",
    version=__version__,
    description=(
        "The public, read-only JSON of status pages, compatible with Atlassian "
        "Statuspage's /api/v2/, and the endpoint visitors subscribe through. "
        "The management API is not built yet."
    ),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="statuscore-api",
    openapi_extra={
        "tags": [
            {"name": v2.TAG, "description": v2.TAG_DESCRIPTION},
            {"name": subscribers.TAG, "description": subscribers.TAG_DESCRIPTION},
            {"name": push.TAG, "description": push.TAG_DESCRIPTION},
        ]
    },
)
api.add_router("/v2/", v2.router)
api.add_router("/v2/", subscribers.router)
api.add_router("/push/", push.router)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=404)
