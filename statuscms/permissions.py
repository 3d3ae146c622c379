"""Mixins that limit Wagtail admin views to the user's organisations.

Wagtail's model permissions decide what a user may do with a model; these
mixins decide which rows: those of the organisations the user is a member
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
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.functional import cached_property

from statuscms.scope import (
    organization_id_of,
    organization_path,
    organizations_with_permission,
    require_visible,
    scope_queryset,
    visible_organizations,
)
from statuscore.models import Organization

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

    Wagtail turns a ``PermissionDenied`` into a redirect to the dashboard.
    The statuscms screens return 403 instead, so a client or a test can
    tell that the role, not the URL, is the problem.
    """
    return TemplateResponse(request, FORBIDDEN_TEMPLATE, status=403)


def limit_form_choices(
    form: forms.BaseForm, user, organizations: QuerySet[Organization] | None = None
) -> None:
    """Limit every model choice field of ``form`` to ``organizations``, by
    default the user's.

    Fields over models that belong to no organisation (such as Wagtail's
    images or users) are left as they are.
    """
    for field in form.fields.values():
        if not isinstance(field, forms.ModelChoiceField):
            continue
        queryset = field.queryset
        if queryset is None or organization_path(queryset.model) is None:
            continue
        field.queryset = scope_queryset(queryset, user, organizations)


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

    The user's role in the object's organisation must grant the view's
    own permission (``permission_required`` or ``any_permission_required``).
    So an editor of A who is a viewer of B may open B's incidents but not
    edit them (403). Objects of organisations the user is not a member of
    are not found (404).
    """

    def setup(self, request, *args, **kwargs):
        # Wagtail's object views read the object in setup(), before
        # dispatch() can turn a PermissionDenied into a 403 response.
        self.denied_in_setup = False
        try:
            super().setup(request, *args, **kwargs)
        except PermissionDenied:
            self.denied_in_setup = True

    def dispatch(self, request, *args, **kwargs):
        try:
            if self.denied_in_setup:
                raise PermissionDenied
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            logger.info(
                "User %s denied %s: the role lacks the permission",
                request.user.pk,
                request.path,
            )
            return forbidden_response(request)

    def required_actions(self) -> list[str]:
        """Return the actions (add, change, delete, view) the view needs,
        any one of which is enough."""
        required = getattr(self, "permission_required", None)
        if isinstance(required, str):
            return [required]
        return list(getattr(self, "any_permission_required", None) or ["view"])

    def permitted_organizations(self) -> QuerySet[Organization]:
        """Return the organisations where the user's role allows this view."""
        model = getattr(self, "model", None)
        user = self.request.user
        if model is None:
            return visible_organizations(user)

        query = Q(pk__in=[])
        for action in self.required_actions():
            permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
            organizations = organizations_with_permission(user, permission)
            query |= Q(pk__in=organizations.values("pk"))
        return Organization.objects.filter(query)

    def _scope(self, queryset):
        return scope_queryset(queryset, self.request.user)

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        return scope_queryset(
            queryset, self.request.user, self.permitted_organizations()
        )

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
        queryset = super().get_object_list()
        return scope_queryset(
            queryset, self.request.user, self.permitted_organizations()
        )

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        if instance is None or instance.pk is None:
            # An add view has no stored object yet; its form's choices are
            # limited to the permitted organisations instead.
            return instance

        user = self.request.user
        require_visible(instance, user)
        organization_id = organization_id_of(instance)
        if not self.permitted_organizations().filter(pk=organization_id).exists():
            logger.info(
                "User %s may not %s %s %s in organization %s",
                user.pk,
                "/".join(self.required_actions()),
                instance._meta.label,
                instance.pk,
                organization_id,
            )
            raise PermissionDenied
        return instance

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        limit_form_choices(form, self.request.user, self.permitted_organizations())
        _preselect_only_page(form)
        return form

    @cached_property
    def filters(self):
        filterset = super().filters
        if filterset is not None:
            limit_form_choices(
                filterset.form, self.request.user, self.permitted_organizations()
            )
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
