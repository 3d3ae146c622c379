"""Admin screens for the team's alert channels and the delivery log.

Alert channels are created and changed through
``statuscore.services.channels``, like the other status screens, and
deliveries are listed read-only. Both are scoped by
``statuscms.permissions``: a user who is not a superuser can view only
the channels and deliveries of their organisations' pages, and the URL
of any other object returns 404.
"""

from __future__ import annotations

import logging

import django_filters
import pydantic
from django.db.models import QuerySet
from django.urls import path
from django.utils.text import Truncator
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseOperationView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log

from statuscms.channel_forms import AlertChannelCreateForm, AlertChannelEditForm
from statuscms.permissions import (
    OrganizationScopedViewMixin,
    OrganizationScopedViewSetMixin,
)
from statuscms.scope import visible_pages
from statuscms.views import ServiceFormMixin, ServiceViewSet
from statuscore import services
from statuscore.models import AlertChannel, Delivery, DeliveryState, Subscriber
from statuscore.plugins import get_notifiers
from statuscore.secrets import SecretUnreadable, mask

__all__ = ["NotificationViewSetGroup", "recipient_label"]

logger = logging.getLogger(__name__)

# Characters of ``last_error`` shown in the delivery log.
ERROR_PREVIEW_LENGTH = 120


def _pages_for_request(request) -> QuerySet:
    return visible_pages(request.user)


def _notifier_label(channel: AlertChannel) -> str:
    notifier = get_notifiers().get(channel.notifier)
    return channel.notifier if notifier is None else notifier.label


def _channel_state(channel: AlertChannel) -> str:
    if channel.disabled_at is not None:
        return f"Disabled after failures: {channel.disabled_reason}"
    return "Active" if channel.enabled else "Switched off"


class AlertChannelFilterSet(WagtailFilterSet):
    page = django_filters.ModelChoiceFilter(queryset=_pages_for_request)

    class Meta:
        model = AlertChannel
        fields = ["page", "notifier", "enabled"]


class AlertChannelIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("page")


class UserFormMixin:
    """Pass the signed-in user to the form, which lists only their pages."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class AlertChannelCreateView(UserFormMixin, ServiceFormMixin, generic.CreateView):
    def save_instance(self) -> AlertChannel:
        data = self.form.cleaned_data
        channel = services.create_alert_channel(
            data["page"],
            data["name"],
            data["notifier"],
            data["config"],
            event_kinds=data["event_kinds"],
            enabled=data["enabled"],
        )
        log(channel, "wagtail.create", user=self.request.user)
        return channel


class AlertChannelEditView(UserFormMixin, ServiceFormMixin, generic.EditView):
    enable_url_name: str | None = None

    def save_instance(self) -> AlertChannel:
        data = self.form.cleaned_data

        # The service reads a fresh, locked row, because the form has
        # already copied the submitted values onto self.object.
        channel = services.update_alert_channel(
            self.object,
            name=data["name"],
            config=data["config"],
            event_kinds=data["event_kinds"],
            enabled=data["enabled"],
        )
        log(channel, "wagtail.edit", user=self.request.user)
        return channel

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["notifier_label"] = _notifier_label(self.object)
        context["channel_state"] = _channel_state(self.object)
        context["enable_url_name"] = self.enable_url_name
        return context


class AlertChannelEnableView(
    OrganizationScopedViewMixin, PermissionCheckedMixin, BaseOperationView
):
    """Turn a channel back on and reset its failure count (POST only)."""

    model = AlertChannel
    permission_required = "change"
    http_method_names = ["post"]
    success_message = "Alert channel enabled again, with its failure count reset."

    def perform_operation(self) -> None:
        self.object = services.enable_alert_channel(self.object)
        log(self.object, "wagtail.edit", user=self.request.user)


class AlertChannelViewSet(ServiceViewSet):
    model = AlertChannel
    name = "status_alert_channels"
    icon = "mail"
    menu_label = "Alert channels"

    index_view_class = AlertChannelIndexView
    add_view_class = AlertChannelCreateView
    edit_view_class = AlertChannelEditView
    edit_template_name = "statuscms/admin/alert_channel_edit.html"
    filterset_class = AlertChannelFilterSet

    # The configuration is left out, because it contains secrets.
    list_display = [
        "name",
        "page",
        Column("notifier", label="Notifier", accessor=_notifier_label),
        Column("state", label="State", accessor=_channel_state),
        "consecutive_failures",
        "updated_at",
    ]
    search_fields = ["name"]

    def get_form_class(self, for_update: bool = False):
        return AlertChannelEditForm if for_update else AlertChannelCreateForm

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            enable_url_name=self.get_url_name("enable"), **kwargs
        )

    @property
    def enable_view(self):
        return AlertChannelEnableView.as_view(
            success_url_name=self.get_url_name("edit")
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("enable/<str:pk>/", self.enable_view, name="enable"),
        ]


def recipient_label(delivery: Delivery) -> str:
    """Return who a delivery is for, with any secret in the address masked.

    A channel is shown by its name. A subscriber is shown by its
    notifier's ``describe()``, or by its masked address when the notifier
    is not installed or the stored configuration cannot be read.
    """
    if delivery.channel is not None:
        return f"Channel: {delivery.channel.name}"
    subscriber: Subscriber = delivery.subscriber
    notifier = get_notifiers().get(subscriber.notifier)
    if notifier is not None:
        try:
            config = notifier.Config.model_validate(subscriber.config)
            return f"{notifier.label}: {notifier().describe(config)}"
        except (pydantic.ValidationError, SecretUnreadable) as error:
            logger.warning(
                "Subscriber %s cannot be described by notifier %s: %s",
                subscriber.pk,
                subscriber.notifier,
                type(error).__name__,
            )
    return f"{subscriber.notifier}: {mask(subscriber.address)}"


def _error_preview(delivery: Delivery) -> str:
    return Truncator(delivery.last_error).chars(ERROR_PREVIEW_LENGTH)


class DeliveryFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(choices=DeliveryState.choices)
    page = django_filters.ModelChoiceFilter(
        field_name="event__page", queryset=_pages_for_request, label="Page"
    )

    class Meta:
        model = Delivery
        fields = ["state", "page"]


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("event__page", "channel", "subscriber")
        )


class DeliveryViewSet(OrganizationScopedViewSetMixin, ModelViewSet):
    """The delivery log: every message sent or due, newest first, read-only."""

    model = Delivery
    name = "status_deliveries"
    icon = "list-ul"
    menu_label = "Delivery log"
    add_to_reference_index = False
    search_backend_name = None
    copy_view_enabled = False

    index_view_class = DeliveryIndexView
    filterset_class = DeliveryFilterSet
    list_display = [
        Column("created_at", label="Created"),
        Column("page", label="Page", accessor="event.page"),
        Column("event_kind", label="Event", accessor="event.kind"),
        Column("recipient", label="Recipient", accessor=recipient_label),
        "state",
        "attempts",
        "sent_at",
        Column("last_error", label="Last error", accessor=_error_preview),
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]

    def register_admin_url_finder(self) -> None:
        """Register no edit URL, because deliveries have no edit screen;
        the site history report would otherwise fail to link a logged one."""


class NotificationViewSetGroup(ModelViewSetGroup):
    """The "Notifications" menu: alert channels and the delivery log."""

    menu_label = "Notifications"
    menu_icon = "mail"
    menu_order = 160
    items = (AlertChannelViewSet, DeliveryViewSet)
