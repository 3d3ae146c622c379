"""Which organisations, and so which objects, an admin user may see.

A superuser can view everything, and anyone else the objects of the
organisations they are a member of, whatever their role
(:func:`visible_organizations`). :func:`organizations_with_permission`
narrows that to the organisations where the user's role grants one
permission. Every admin screen filters by these functions, so another
organisation's object is not found (404) rather than forbidden (403),
and its name appears in no listing, filter or form choice.

An object belongs to the organisation at the end of its foreign keys:
``Component.page.organization``, ``IncidentUpdate.incident.page.organization``
and so on. :func:`organization_path` finds that path for any model of
``statuscore`` or ``statuscms``.
"""

from __future__ import annotations

import logging
from collections import deque
from functools import cache

from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from statuscore.models import Membership, Organization, Page, Role

__all__ = [
    "SCOPED_APPS",
    "has_role",
    "is_visible",
    "organization_id_of",
    "organization_path",
    "organizations_with_permission",
    "require_visible",
    "scope_queryset",
    "visible_organizations",
    "visible_pages",
    "writable_organizations",
]

logger = logging.getLogger(__name__)

# Apps whose models belong to an organisation through their foreign keys.
SCOPED_APPS = ("statuscore", "statuscms")

# Foreign keys followed at most, from a model to its organisation.
MAX_PATH_LENGTH = 4


def visible_organizations(user) -> QuerySet[Organization]:
    """Return the organisations ``user`` may see in the admin; none for no user."""
    if user is None or not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=user)


def writable_organizations(user) -> QuerySet[Organization]:
    """Return the organisations in which ``user`` is an owner or an editor."""
    if user is None or not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(
        memberships__user=user,
        memberships__role__in=[Role.OWNER, Role.EDITOR],
    )


def organizations_with_permission(user, permission: str) -> QuerySet[Organization]:
    """Return the organisations in which ``user`` has ``permission``, such
    as ``"statuscore.change_incident"``.

    Model permissions are global in Django, so a user who is an editor in
    one organisation and a viewer in another has ``change_incident``
    everywhere. This function gives the permission the reach of the role
    that grants it: the organisations where the user's role includes it.
    A permission given directly to the user, or through a group that is
    not an organisation's role group, reaches every organisation the user
    is a member of.
    """
    from statuscms.roles import role_permission_codenames

    if user is None or not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()

    app_label, _, codename = permission.partition(".")
    granted_outside_roles = Permission.objects.filter(
        Q(user=user) | Q(group__user=user, group__organization_role__isnull=True),
        content_type__app_label=app_label,
        codename=codename,
    ).exists()
    if granted_outside_roles:
        return visible_organizations(user)

    roles = [
        role
        for role in Role.values
        if codename in role_permission_codenames(role).get(app_label, set())
    ]
    return Organization.objects.filter(
        memberships__user=user, memberships__role__in=roles
    ).distinct()


def visible_pages(user) -> QuerySet[Page]:
    """Return the pages ``user`` may see in the admin; none for no user."""
    if user is None or not user.is_authenticated:
        return Page.objects.none()
    if user.is_superuser:
        return Page.objects.all()
    return Page.objects.filter(organization__memberships__user=user)


@cache
def organization_path(model: type[models.Model]) -> str | None:
    """Return the lookup from ``model`` to its ``Organization``, or None.

    ``""`` means the model is ``Organization`` itself; ``"page__organization"``
    is the path of ``Component``. The search is breadth-first over foreign
    keys and one-to-one fields to models of :data:`SCOPED_APPS`, so the
    shortest path wins, and among equal ones the field declared first.
    None means the model belongs to no organisation, such as Wagtail's own.
    """
    if issubclass(model, Organization):
        return ""

    queue: deque[tuple[type[models.Model], tuple[str, ...]]] = deque([(model, ())])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        if len(path) >= MAX_PATH_LENGTH:
            continue
        for field in current._meta.get_fields():
            if not (field.many_to_one or field.one_to_one) or field.auto_created:
                continue
            target = field.related_model
            if target is None or target._meta.app_label not in SCOPED_APPS:
                continue
            if issubclass(target, Organization):
                return "__".join((*path, field.name))
            if target not in seen:
                seen.add(target)
                queue.append((target, (*path, field.name)))
    return None


def organization_id_of(instance: models.Model) -> int | None:
    """Return the id of the organisation ``instance`` belongs to, or None.

    Reads the foreign keys on :func:`organization_path`, one query for each
    related object not yet loaded.
    """
    path = organization_path(type(instance))
    if path is None:
        return None
    if path == "":
        return instance.pk

    *steps, last = path.split("__")
    current = instance
    for step in steps:
        current = getattr(current, step)
        if current is None:
            return None
    return getattr(current, f"{last}_id")


def scope_queryset(
    queryset: QuerySet, user, organizations: QuerySet[Organization] | None = None
) -> QuerySet:
    """Return the rows of ``queryset`` that belong to ``organizations``, by
    default the organisations ``user`` may see.

    Models that belong to no organisation are returned unfiltered for a
    superuser and not at all for anyone else, so a model whose path is not
    found fails closed.
    """
    if user is not None and user.is_authenticated and user.is_superuser:
        return queryset

    path = organization_path(queryset.model)
    if path is None:
        logger.warning(
            "Model %s has no path to an organisation; listing none of it",
            queryset.model._meta.label,
        )
        return queryset.none()
    if organizations is None:
        organizations = visible_organizations(user)
    lookup = f"{path}__in" if path else "pk__in"
    return queryset.filter(**{lookup: organizations.values("pk")})


def is_visible(instance: models.Model, user) -> bool:
    """Return whether ``user`` may see ``instance`` in the admin."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    organization_id = organization_id_of(instance)
    if organization_id is None:
        return False
    return visible_organizations(user).filter(pk=organization_id).exists()


def require_visible(instance: models.Model, user) -> None:
    """Raise ``Http404`` unless ``user`` may see ``instance``."""
    if not is_visible(instance, user):
        logger.info(
            "User %s asked for %s %s of another organisation",
            getattr(user, "pk", None),
            instance._meta.label,
            instance.pk,
        )
        raise Http404(f"No {instance._meta.verbose_name} found.")


def has_role(user, organization_id: int, roles: tuple[str, ...]) -> bool:
    """Return whether ``user`` is a superuser or has one of ``roles`` in
    the organisation."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, organization_id=organization_id, role__in=roles
    ).exists()
