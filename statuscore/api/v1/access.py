"""Object lookups that keep each organisation's objects to its members.

Every object of /api/v1/ belongs to one organisation: an ``Organization``
itself, a model with an ``organization`` foreign key, or a model with a
``page`` foreign key (through the page's organisation). Lookups filter by
the organisations of ``request.auth``, the ``Principal`` set by
``statuscore.api.auth``. An object of another organisation is therefore a
404, exactly like an object that does not exist, so ids reveal nothing.
A member who can read an object but not change it gets 403 on writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import F, QuerySet
from django.http import HttpRequest

from statuscore.exceptions import NotFound, PermissionDenied, ValidationFailed
from statuscore.models import Organization

if TYPE_CHECKING:
    from statuscore.api.auth import Principal

__all__ = [
    "get_for_read",
    "get_for_write",
    "organization_path",
    "principal",
    "readable",
    "require_write",
    "writable_reference",
]

ModelT = TypeVar("ModelT", bound=models.Model)

# Paths to the organisation of models that have neither an ``organization``
# nor a ``page`` foreign key.
ORGANIZATION_PATHS: dict[str, str] = {
    "statuscore.checkresult": "uptime_check__page__organization",
    "statuscore.checkrollupday": "uptime_check__page__organization",
    "statuscore.incidentupdate": "incident__page__organization",
    "statuscore.maintenanceupdate": "maintenance__page__organization",
}

ORGANIZATION_ID = "_access_organization_id"


def principal(request: HttpRequest) -> Principal:
    """Return the authenticated principal of ``request``."""
    return request.auth  # type: ignore[attr-defined]


def organization_path(model: type[models.Model]) -> str:
    """Return the lookup path from ``model`` to its organisation's id.

    Raises ``LookupError`` for a model that no path is known for, so a new
    model cannot be served without deciding who owns it.
    """
    if model is Organization:
        return "pk"

    label = model._meta.label_lower
    if label in ORGANIZATION_PATHS:
        return ORGANIZATION_PATHS[label]

    names = {field.name for field in model._meta.get_fields()}
    if "organization" in names:
        return "organization"
    if "page" in names:
        return "page__organization"
    raise LookupError(
        f"No organisation path is known for {label}; add it to ORGANIZATION_PATHS."
    )


def readable(request: HttpRequest, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """Return ``queryset`` limited to the organisations the principal reads."""
    path = organization_path(queryset.model)
    caller = principal(request)
    readable_ids = [
        org_id for org_id in caller.organization_ids if caller.can_read(org_id)
    ]
    return queryset.filter(**{f"{path}__in": readable_ids})


def get_for_read(request: HttpRequest, queryset: QuerySet[ModelT], pk: Any) -> ModelT:
    """Return the object ``pk`` of ``queryset`` if the principal may read it.

    Raises ``NotFound`` when it does not exist or belongs to an
    organisation the principal cannot read.
    """
    path = organization_path(queryset.model)
    found = (
        readable(request, queryset)
        .annotate(**{ORGANIZATION_ID: F(path)})
        .filter(pk=pk)
        .first()
    )
    if found is None:
        name = queryset.model._meta.verbose_name
        raise NotFound(f"No {name} with id {pk} was found.")
    return found


def require_write(request: HttpRequest, organization_id: int) -> None:
    """Raise ``PermissionDenied`` unless the principal writes in the organisation."""
    if not principal(request).can_write(organization_id):
        raise PermissionDenied(
            "Your role or API key allows reading this organisation's objects, "
            "not changing them."
        )


def get_for_write(request: HttpRequest, queryset: QuerySet[ModelT], pk: Any) -> ModelT:
    """Return the object ``pk`` of ``queryset`` if the principal may change it.

    Raises ``NotFound`` as :func:`get_for_read` does, and
    ``PermissionDenied`` when the principal can read it but not write.
    """
    found = get_for_read(request, queryset, pk)
    require_write(request, getattr(found, ORGANIZATION_ID))
    return found


def writable_reference(
    request: HttpRequest, queryset: QuerySet[ModelT], pk: Any, field: str
) -> ModelT:
    """Return the object a request body refers to by id, for writing into.

    Raises ``ValidationFailed`` naming ``field`` when the object does not
    exist or is not readable, because the bad value is in the body, and
    ``PermissionDenied`` when it is readable but not writable.
    """
    try:
        return get_for_write(request, queryset, pk)
    except NotFound:
        name = queryset.model._meta.verbose_name
        raise ValidationFailed.for_field(field, f"No {name} with id {pk}.") from None
