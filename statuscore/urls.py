"""URLs of statuscore, for a project to include at its root."""

from django.urls import path

from statuscore.api import api
from statuscore.metrics import metrics
from statuscore.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("api/", api.urls),
]
