from ninja import NinjaAPI

from statuscore import __version__

api = NinjaAPI(
    title="Status page API",
    version=__version__,
    description=(
        "Management API for status pages, and the public "
        "Statuspage-compatible v2 JSON."
    ),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="statuscore-api",
)
