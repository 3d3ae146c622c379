"""Mixins that limit Wagtail admin views to the user's organisations.

Wagtail's model permissions say what a user may do with a model; these
mixins say which rows: those of the organisations the user is a member
of (``statuscms.scope``). Use :class:`OrganizationScopedViewSetMixin` on a
``ModelViewSet``, ``SnippetViewSet`` or ``ChooserViewSet``; it applies
:class:`OrganizationScopedViewMixin` to every view the viewset builds::

    class IncidentTemplateViewSet(OrganizationScopedViewSetMixin, SnippetViewSet):
        model = IncidentTemplate

A view of one object (edit, delete, history, usage, inspect, chosen)
returns 404 for another organisation's object, and any view returns 403
when the user's role lacks the model permission it needs. A listing, its filters
and its search show only the user's organisations' rows. Every choice
field of a form (page, component, group) offers only them too, so a
posted id of another organisation is rejected as an invalid choice.
"""

from __future__ import annotations

import logging

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.functional import cached_property

from statuscms.scope import organization_path, require_visible, scope_queryset

__all__ = [
    "FORBIDDEN_TEMPLATE",
    "OrganizationScopedViewMixin",
    "OrganizationScopedViewSetMixin",
    "forbidden_response",
    "limit_form_choices",
    "scoped_view_class",
]

logger = logging.getLogger(__name__)

FORBIDDEN_TEMPLATE = "statuscms/admin/forbidden.html"


def forbidden_response(request: HttpRequest) -> TemplateResponse:
    """Return a 403 page inside the admin.

    Wagtail turns a ``PermissionDenied`` into a redirect to the dashboard;
    the statuscms screens return 403, so a client or a test sees that the
    role, not the URL, is the problem.
    """
    return TemplateResponse(request, FORBIDDEN_TEMPLATE, status=403)


def limit_form_choices(form: forms.BaseForm, user) -> None:
    """Limit every model choice field of ``form`` to the user's organisations.

    Fields over models that belong to no organisation (such as Wagtail's
    images or users) are left as they are.
    """
    for field in form.fields.values():
        if not isinstance(field, forms.ModelChoiceField):
            continue
        queryset = field.queryset
        if queryset is None or organization_path(queryset.model) is None:
            continue
        field.queryset = scope_queryset(queryset, user)


def _preselect_only_page(form: forms.BaseForm) -> None:
    """Preselect the page when the user may choose only one.

    The forms' own default looks at every page of the installation, so it
    is replaced by the one page left after :func:`limit_form_choices`.
    """
    field = form.fields.get("page")
    if not isinstance(field, forms.ModelChoiceField) or form.is_bound:
        return
    pages = list(field.queryset.values_list("pk", flat=True)[:2])
    field.initial = pages[0] if len(pages) == 1 else None
    form.initial.pop("page", None)
    if field.initial is not None:
        form.initial["page"] = field.initial


class OrganizationScopedViewMixin:
    """Limit a Wagtail admin view to the objects of the user's organisations.

    It wraps each way Wagtail's generic views read objects:
    ``get_base_queryset`` (listings), ``get_queryset`` (edit and delete),
    ``get_base_object_queryset`` (history, usage and operations),
    ``get_object_list`` (choosers) and ``get_object`` (every view of one
    object, including the inspect view, which reads the model directly).
    """

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            logger.info(
                "User %s denied %s: the role lacks the permission",
                request.user.pk,
                request.path,
            )
            return forbidden_response(request)

    def _scope(self, queryset):
        return scope_queryset(queryset, self.request.user)

    def get_base_queryset(self):
        return self._scope(super().get_base_queryset())

    def get_queryset(self):
        # Only querysets of the view's own model are scoped, because a
        # history or usage view lists log entries or references here.
        queryset = super().get_queryset()
        model = getattr(self, "model", None)
        if model is not None and getattr(queryset, "model", None) is model:
            return self._scope(queryset)
        return queryset

    def get_base_object_queryset(self):
        return self._scope(super().get_base_object_queryset())

    def get_object_list(self):
        return self._scope(super().get_object_list())

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        require_visible(instance, self.request.user)
        return instance

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        limit_form_choices(form, self.request.user)
        _preselect_only_page(form)
        return form

    @cached_property
    def filters(self):
        filterset = super().filters
        if filterset is not None:
            limit_form_choices(filterset.form, self.request.user)
        return filterset


_scoped_classes: dict[type, type] = {}


def scoped_view_class(view_class: type) -> type:
    """Return ``view_class`` with :class:`OrganizationScopedViewMixin` first.

    The subclass is built once per view class and reused.
    """
    if issubclass(view_class, OrganizationScopedViewMixin):
        return view_class
    if view_class not in _scoped_classes:
        _scoped_classes[view_class] = type(
            f"OrganizationScoped{view_class.__name__}",
            (OrganizationScopedViewMixin, view_class),
            {"__module__": view_class.__module__},
        )
    return _scoped_classes[view_class]


class OrganizationScopedViewSetMixin:
    """Build every view of a Wagtail viewset with
    :class:`OrganizationScopedViewMixin`.

    Views that a viewset adds with its own ``path()`` outside
    ``construct_view`` are not covered, so wrap their class with
    :func:`scoped_view_class` or give them the mixin directly.
    """

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(scoped_view_class(view_class), **kwargs)
