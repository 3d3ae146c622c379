"""Public URLs of statuscms that are not Wagtail page routes."""

from django.urls import path

from statuscms import subscribe_views

urlpatterns = [
    path(
        "subscriptions/page/<int:page_id>/",
        subscribe_views.subscribe,
        name="statuscms-subscribe",
    ),
]
