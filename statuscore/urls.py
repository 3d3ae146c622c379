"""URLs of statuscore, for a project to include at its root."""

from django.urls import path, re_path

from statuscore.api import api_urls
from statuscore.api.errors import not_found_view
from statuscore.metrics import metrics
from statuscore.subscriptions import views as subscription_views
from statuscore.tls import tls_ask
from statuscore.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("tls/ask", tls_ask, name="statuscore-tls-ask"),
    path("api/", api_urls()),
    # A path under /api/v1/ that no route matches gets a 404 in the API's
    # error shape instead of the HTML page.
    re_path(r"^api/v1/", not_found_view),
    path(
        "subscriptions/confirm/<str:token>/",
        subscription_views.confirm,
        name="statuscore-subscription-confirm",
    ),
    path(
        "subscriptions/unsubscribe/<str:token>/",
        subscription_views.unsubscribe,
        name="statuscore-subscription-unsubscribe",
    ),
    path(
        "subscriptions/one-click/<str:token>/",
        subscription_views.one_click_unsubscribe,
        name="statuscore-subscription-one-click",
    ),
    path(
        "subscriptions/manage/<str:token>/",
        subscription_views.manage,
        name="statuscore-subscription-manage",
    ),
    path(
        "subscriptions/<slug:slug>/code/",
        subscription_views.confirm_code,
        name="statuscore-subscription-code",
    ),
]
