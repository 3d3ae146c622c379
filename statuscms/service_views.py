"""Shared base classes of the admin screens that change statuscore models.

Wagtail's generic views save the model form. These classes replace that
with calls to ``statuscore.services``, so every change from the admin is
validated by the core and recorded with its event.
"""

from __future__ import annotations

import logging

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet

from statuscms.forms import add_service_errors
from statuscms.permissions import OrganizationScopedViewSetMixin, scoped_view_class
from statuscms.scope import visible_pages
from statuscore.exceptions import ValidationFailed

__all__ = [
    "ObjectFormView",
    "PageScopedIndexMixin",
    "PageScopedMixin",
    "ServiceFormMixin",
    "ServiceViewSet",
    "UserFormKwargsMixin",
    "page_filterset",
]

logger = logging.getLogger(__name__)


class ServiceFormMixin:
    """Show a ``ValidationFailed`` raised by ``save_instance`` on the form.

    The generic ``form_valid`` runs ``save_instance`` inside
    ``transaction.atomic``, so when the error leaves it nothing of the
    save is stored.
    """

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationFailed as error:
            logger.info(
                "Admin save of %s %s by user %s failed validation: %s",
                self.model.__name__,
                getattr(self.object, "pk", None),
                self.request.user.pk,
                error,
            )
            add_service_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def source(self) -> str:
        """Return who decided a status change, in the services' ``source`` form."""
        return f"user:{self.request.user.pk}"


class ServiceViewSet(OrganizationScopedViewSetMixin, ModelViewSet):
    """A ModelViewSet for a statuscore model, without copy view, and without
    delete view unless ``delete_view_enabled`` is set.

    Every view the viewset builds shows only the objects of the user's
    organisations.

    A viewset that enables deleting gives a ``delete_view_class`` whose
    ``delete_action`` calls a service. The model is left out of Wagtail's
    reference index, so that saves by services do not also write index rows.
    """

    add_to_reference_index = False
    copy_view_enabled = False
    delete_view_enabled = False
    search_backend_name = None

    def get_common_view_kwargs(self, **kwargs):
        if not self.delete_view_enabled:
            kwargs["delete_url_name"] = None
        return super().get_common_view_kwargs(**kwargs)

    def object_view(self, view_class):
        """Return the view of ``view_class``, an :class:`ObjectFormView` that
        the viewset adds with its own ``path()``, scoped like the others."""
        return scoped_view_class(view_class).as_view(
            index_url_name=self.get_url_name("index"),
            edit_url_name=self.get_url_name("edit"),
        )

    def get_urlpatterns(self):
        urls = super().get_urlpatterns()
        if self.delete_view_enabled:
            return urls
        return [url for url in urls if url.name != "delete"]


class PageScopedMixin:
    """Limit the object of an edit or delete view to the pages the user may
    see, so that another organisation's object is not found (404)."""

    page_lookup = "page"

    def scope(self, queryset: QuerySet) -> QuerySet:
        pages = visible_pages(self.request.user)
        return queryset.filter(**{f"{self.page_lookup}__in": pages})

    def get_queryset(self):
        return self.scope(super().get_queryset())


def _pages_for_request(request) -> QuerySet:
    return visible_pages(request.user)


def page_filterset(model, fields: list[str]) -> type[WagtailFilterSet]:
    """Return a listing filter on ``fields`` whose page choices are only the
    pages the user may see, so no other organisation's page is named."""

    class Meta:
        pass

    Meta.model = model
    Meta.fields = fields
    attributes = {
        "page": django_filters.ModelChoiceFilter(queryset=_pages_for_request),
        "Meta": Meta,
    }
    return type(f"{model.__name__}FilterSet", (WagtailFilterSet,), attributes)


class UserFormKwargsMixin:
    """Pass the signed-in user to the form, which offers only their pages."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class PageScopedIndexMixin:
    """List only the objects of the pages the user may see."""

    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("page")
        return queryset.filter(page__in=visible_pages(self.request.user))


class ObjectFormView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A form that changes one object of a viewset through a service.

    ``get_object_queryset`` gives the rows the user may change, so another
    organisation's object is not found. ``perform`` calls the service. A
    ``ValidationFailed`` it raises shows on the form, and the transaction
    around it stores nothing. Subclasses set ``model``, ``form_class``,
    ``page_title`` and ``submit_label``; the viewset passes the URL names.
    """

    permission_required = "change"
    template_name = "statuscms/admin/object_form.html"
    submit_label = "Save"
    success_message = ""
    index_url_name: str | None = None
    edit_url_name: str | None = None

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(self.get_object_queryset(), pk=kwargs["pk"])

    def get_object_queryset(self) -> QuerySet:
        pages = visible_pages(self.request.user)
        return self.model.objects.filter(page__in=pages).select_related("page")

    def dispatch(self, request, *args, **kwargs):
        """Refuse the object when the user's role in its organisation lacks
        ``permission_required``; the viewset wraps this view with
        ``scoped_view_class``, which returns 403 for it."""
        permitted = getattr(self, "permitted_organizations", None)
        if permitted is not None:
            organization_id = self.object.page.organization_id
            if not permitted().filter(pk=organization_id).exists():
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return str(self.object)

    def get_breadcrumbs_items(self):
        items = [
            {
                "url": reverse(self.index_url_name),
                "label": self.model._meta.verbose_name_plural.capitalize(),
            },
            {"url": self.get_object_url(), "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]
        return self.breadcrumbs_items + items

    def get_object_url(self) -> str:
        return reverse(self.edit_url_name, args=[self.object.pk])

    def get_success_url(self) -> str:
        return self.get_object_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(object=self.object, submit_label=self.submit_label)
        context["cancel_url"] = self.get_object_url()
        return context

    def perform(self, form) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.perform(form)
        except ValidationFailed as error:
            logger.info(
                "Admin change of %s %s by user %s failed validation: %s",
                self.model.__name__,
                self.object.pk,
                self.request.user.pk,
                error,
            )
            add_service_errors(form, error)
            return self.form_invalid(form)

        if self.success_message:
            messages.success(
                self.request, self.success_message % {"object": self.object}
            )
        return HttpResponseRedirect(self.get_success_url())
