"""Admin screens for subscribers: a listing, CSV export and CSV import.

The listing shows every subscriber with its state, components and
failures, so the team sees who was disabled and why. Subscribers are not
edited here: visitors change their own subscriptions through the signed
links, and the import goes through ``statuscore.subscriptions``.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import FormView, View
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from statuscms.permissions import (
    OrganizationScopedViewMixin,
    OrganizationScopedViewSetMixin,
)
from statuscms.scope import visible_pages
from statuscore.exceptions import ValidationFailed
from statuscore.models import Page, Subscriber
from statuscore.subscriptions.imports import import_subscribers, write_csv

__all__ = ["SubscriberViewSet"]

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _component_names(subscriber: Subscriber) -> str:
    names = [component.name for component in subscriber.components.all()]
    return ", ".join(names) if names else "Whole page"


class SubscriberIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(page__in=visible_pages(self.request.user))
            .select_related("page")
            .prefetch_related("components")
        )

    @property
    def header_buttons(self):
        return [
            HeaderButton(
                "Import CSV",
                url=reverse("status_subscribers:import"),
                icon_name="upload",
            ),
            HeaderButton(
                "Export CSV",
                url=reverse("status_subscribers:export") + self._page_query(),
                icon_name="download",
            ),
        ]

    def _page_query(self) -> str:
        page = self.request.GET.get("page", "")
        return f"?page={page}" if page.isdigit() else ""


class SubscriberImportForm(forms.Form):
    page = forms.ModelChoiceField(queryset=Page.objects.all())
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: address (required), components (names separated by ';', "
            "empty for the whole page), language (empty for the page's). "
            "The first row names the columns."
        ),
    )
    confirmed = forms.BooleanField(
        required=False,
        label="These people already confirmed their subscription elsewhere",
        help_text=(
            "Tick only for a list moved from another status page, such as "
            "Statuspage. Ticked: the addresses are active at once. Not ticked: "
            "each address is sent a confirmation and receives nothing until it "
            "confirms."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["page"].queryset = visible_pages(user)

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; split it.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("Save the file as UTF-8 text.") from None


class SubscriberImportView(
    OrganizationScopedViewMixin,
    PermissionCheckedMixin,
    WagtailAdminTemplateMixin,
    FormView,
):
    model = Subscriber
    permission_required = "add"
    form_class = SubscriberImportForm
    template_name = "statuscms/admin/subscriber_import.html"
    page_title = "Import subscribers"
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("status_subscribers:index"), "label": "Subscribers"},
            {"url": "", "label": self.page_title},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        page = form.cleaned_data["page"]
        try:
            result = import_subscribers(
                page,
                form.cleaned_data["file"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except ValidationFailed as error:
            logger.info(
                "Subscriber import into page %s by user %s rejected: %s errors",
                page.pk,
                self.request.user.pk,
                len(error.errors),
            )
            for key, problems in error.errors.items():
                target = key if key in form.fields else None
                for problem in problems:
                    form.add_error(
                        target, f"{key}: {problem}" if target is None else problem
                    )
            return self.form_invalid(form)

        messages.success(
            self.request,
            f"Imported {result.created} subscribers into {page}. "
            f"{result.unchanged} were already subscribed; "
            f"{result.skipped_unsubscribed} had unsubscribed and were skipped.",
        )
        return HttpResponseRedirect(reverse("status_subscribers:index"))


class SubscriberExportView(OrganizationScopedViewMixin, PermissionCheckedMixin, View):
    """Download subscribers as CSV, all or those of ``?page=<id>``, of the
    organisations where the user's role may change subscribers."""

    model = Subscriber
    permission_required = "change"

    def get(self, request):
        subscribers = (
            Subscriber.objects.filter(
                page__organization__in=self.permitted_organizations()
            )
            .select_related("page")
            .prefetch_related("components")
            .order_by("page", "id")
        )
        page = request.GET.get("page", "")
        if page.isdigit():
            subscribers = subscribers.filter(page_id=int(page))
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="subscribers-{stamp}.csv"'
        )
        write_csv(subscribers, response)
        logger.info("Subscribers exported by user %s", request.user.pk)
        return response


class SubscriberViewSet(OrganizationScopedViewSetMixin, ModelViewSet):
    """A read-only listing of subscribers, with import and export."""

    model = Subscriber
    name = "status_subscribers"
    icon = "user"
    menu_label = "Subscribers"
    add_to_reference_index = False
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False

    index_view_class = SubscriberIndexView
    list_display = [
        "address",
        "notifier",
        "page",
        "state",
        Column("components", label="Components", accessor=_component_names),
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created_at",
    ]
    list_filter = ["page", "state", "notifier"]
    inspect_view_fields = [
        "page",
        "notifier",
        "address",
        "state",
        "language",
        "components",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created_at",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None, **kwargs
        )

    @property
    def url_finder_class(self):
        """Link logged subscribers to their inspect screen, the only screen
        of one subscriber."""
        finder = super().url_finder_class
        finder.edit_url_name = self.get_url_name("inspect")
        return finder

    def get_urlpatterns(self):
        # Built here rather than filtered from super(), which would build the
        # add and edit views, and those need a form this viewset has not.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<str:pk>/", self.inspect_view, name="inspect"),
            path("import/", SubscriberImportView.as_view(), name="import"),
            path("export/", SubscriberExportView.as_view(), name="export"),
        ]
