"""Services for organisations and status pages."""

from __future__ import annotations

import logging

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from statuscore.events import EventKind, emit
from statuscore.exceptions import NotFound, ValidationFailed
from statuscore.models import Membership, Organization, Page, PageAccess, Role
from statuscore.models.pages import format_network, parse_ip_allowlist
from statuscore.services.validation import full_clean, require_choice
from statuscore.signals import membership_changed, page_domain_changed

logger = logging.getLogger(__name__)


@transaction.atomic
def create_organization(name: str, slug: str, *, owner=None) -> Organization:
    """Create an organisation; ``owner``, if given, becomes its first member."""
    organization = Organization(name=name, slug=slug)
    full_clean(organization)
    organization.save()
    if owner is not None:
        add_member(organization, owner, Role.OWNER)
    logger.info("Organization %s (%s) created", organization.pk, slug)
    return organization


@transaction.atomic
def add_member(organization: Organization, user, role: str) -> Membership:
    """Give ``user`` a role in the organisation, replacing any earlier role.

    Sends ``membership_changed``, so the admin's groups follow in the same
    transaction. Raises ``ValidationFailed`` naming ``role`` for an unknown
    role, or when the change would leave the organisation without an owner.
    """
    require_choice("role", role, Role)
    existing = (
        Membership.objects.select_for_update()
        .filter(organization=organization, user=user)
        .first()
    )
    if existing is not None and existing.role == Role.OWNER and role != Role.OWNER:
        _require_another_owner(existing, "role")

    membership, created = Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )

    membership_changed.send(
        sender=Membership,
        organization=organization,
        user=user,
        role=role,
        previous_role=None if existing is None else existing.role,
    )
    logger.info(
        "User %s %s organization %s as %s",
        user.pk,
        "added to" if created else "changed in",
        organization.pk,
        role,
    )
    return membership


def change_member_role(organization: Organization, user, role: str) -> Membership:
    """Change the role of an existing member.

    Raises ``NotFound`` when ``user`` is not a member, and
    ``ValidationFailed`` as :func:`add_member` does.
    """
    if not Membership.objects.filter(organization=organization, user=user).exists():
        raise NotFound(
            f"User {user.pk} is not a member of organization {organization.pk}."
        )
    return add_member(organization, user, role)


@transaction.atomic
def remove_member(organization: Organization, user) -> None:
    """Remove ``user`` from the organisation, with the admin access it gave.

    Raises ``NotFound`` when ``user`` is not a member, and
    ``ValidationFailed`` naming ``user`` when they are its last owner.
    """
    membership = (
        Membership.objects.select_for_update()
        .filter(organization=organization, user=user)
        .first()
    )
    if membership is None:
        raise NotFound(
            f"User {user.pk} is not a member of organization {organization.pk}."
        )
    if membership.role == Role.OWNER:
        _require_another_owner(membership, "user")

    membership.delete()

    membership_changed.send(
        sender=Membership,
        organization=organization,
        user=user,
        role=None,
        previous_role=membership.role,
    )
    logger.info("User %s removed from organization %s", user.pk, organization.pk)


def _require_another_owner(membership: Membership, field: str) -> None:
    """Raise ``ValidationFailed`` on ``field`` unless another owner remains,
    because an organisation without an owner cannot manage its members."""
    others = Membership.objects.filter(
        organization_id=membership.organization_id, role=Role.OWNER
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationFailed.for_field(
            field,
            "This is the organisation's last owner; make another member owner first.",
        )


@transaction.atomic
def create_page(
    organization: Organization,
    name: str,
    slug: str,
    *,
    domain: str = "",
    url: str = "",
    time_zone: str = "UTC",
    access: str = PageAccess.PUBLIC,
    password: str | None = None,
    ip_allowlist: list[str] | None = None,
) -> Page:
    """Create a status page. ``domain`` is stored lower-case without a
    trailing dot; ``access``, ``password`` and ``ip_allowlist`` are checked
    and stored as :func:`update_page` does."""
    page = Page(
        organization=organization,
        name=name,
        slug=slug,
        domain=domain.strip().lower().rstrip("."),
        url=url,
        time_zone=time_zone,
    )
    access_changes: dict = {"access": access}
    if password is not None:
        access_changes["password"] = password
    if ip_allowlist is not None:
        access_changes["ip_allowlist"] = ip_allowlist
    for field, value in _apply_access_changes(page, access_changes).items():
        setattr(page, field, value)
    full_clean(page)
    page.save()
    if page.domain:
        page_domain_changed.send(sender=Page, page=page, previous_domain="")
    logger.info(
        "Page %s (%s) created for organization %s", page.pk, slug, organization.pk
    )
    return page


EDITABLE_PAGE_FIELDS = (
    "name",
    "slug",
    "domain",
    "url",
    "time_zone",
    "language",
    "subscriber_notifiers",
    "access",
    "password",
    "ip_allowlist",
)

MIN_PAGE_PASSWORD_LENGTH = 8
MAX_PAGE_PASSWORD_LENGTH = 128


def _check_page_password(password: object) -> str:
    """Return the Django password hash of ``password``, or raise naming
    ``password``. The plain password is neither stored nor logged."""
    if not isinstance(password, str):
        raise ValidationFailed.for_field("password", "Expected a string.")
    if not MIN_PAGE_PASSWORD_LENGTH <= len(password) <= MAX_PAGE_PASSWORD_LENGTH:
        raise ValidationFailed.for_field(
            "password",
            f"The password must be {MIN_PAGE_PASSWORD_LENGTH} to "
            f"{MAX_PAGE_PASSWORD_LENGTH} characters long; it is {len(password)}.",
        )
    if "\x00" in password:
        raise ValidationFailed.for_field(
            "password", "The password must not contain the NUL character."
        )
    return make_password(password)


def _check_ip_allowlist(entries: object) -> list[str]:
    """Return the allowlist in a normal form, deduplicated, or raise naming
    ``ip_allowlist``. A single address is stored without its prefix."""
    try:
        networks = parse_ip_allowlist(entries)
    except ValidationError as error:
        raise ValidationFailed.for_field("ip_allowlist", error.messages[0]) from None
    return list(dict.fromkeys(format_network(network) for network in networks))


def _apply_access_changes(page: Page, changes: dict) -> dict:
    """Turn the access fields of ``changes`` into model field values.

    ``password`` becomes ``access_password``, a hash. Choosing the password
    mode needs a password, given now or stored before.
    """
    if "access" in changes:
        require_choice("access", changes["access"], PageAccess)
    if "password" in changes:
        changes["access_password"] = _check_page_password(changes.pop("password"))
    if "ip_allowlist" in changes:
        changes["ip_allowlist"] = _check_ip_allowlist(changes["ip_allowlist"])

    access = changes.get("access", page.access)
    password_hash = changes.get("access_password", page.access_password)
    if access == PageAccess.PASSWORD and not password_hash:
        raise ValidationFailed.for_field(
            "password", "A page readable with a password needs a password; set one."
        )
    return changes


def _check_subscriber_notifiers(names) -> list[str]:
    """Return ``names`` deduplicated, or raise naming ``subscriber_notifiers``.

    Each name must be an installed notifier that visitors may subscribe
    through; the team's own channels (such as a paging service) stay
    private.
    """
    from statuscore.plugins import get_notifiers

    if not isinstance(names, list | tuple) or not all(
        isinstance(n, str) for n in names
    ):
        raise ValidationFailed.for_field(
            "subscriber_notifiers", "Expected a list of notifier names."
        )
    notifiers = get_notifiers()
    allowed = sorted(name for name, cls in notifiers.items() if cls.subscribable)
    not_subscribable = [name for name in names if name not in allowed]
    if not_subscribable:
        invalid = ", ".join(map(repr, not_subscribable))
        raise ValidationFailed.for_field(
            "subscriber_notifiers",
            f"Visitors cannot subscribe through {invalid}. "
            f"Choose from: {', '.join(allowed) or 'none installed'}.",
        )
    return list(dict.fromkeys(names))


@transaction.atomic
def update_page(page: Page, **changes) -> Page:
    """Change a page's name, slug, domain, canonical URL, time zone, message
    language, the notifiers visitors may subscribe through, or who may read
    it: ``access`` (a ``PageAccess`` value), ``password`` (stored only as a
    Django password hash; setting a new one signs out every visitor who
    entered the old one) and ``ip_allowlist`` (addresses and CIDR networks,
    IPv4 or IPv6; empty allows every address).

    Raises ``ValidationFailed`` for any other field, or for an invalid or
    duplicate value, and then leaves the stored page unchanged. ``domain``
    is normalised as in :func:`create_page`. Emits ``page.updated`` with
    the names of the changed fields, never their values, so the public
    snapshots and live connections of the page follow the change.
    """
    unknown = set(changes) - set(EDITABLE_PAGE_FIELDS)
    if unknown:
        raise ValidationFailed(
            {field: ["This field cannot be changed here."] for field in sorted(unknown)}
        )
    if "domain" in changes:
        changes["domain"] = changes["domain"].strip().lower().rstrip(".")
    if "language" in changes:
        from statuscore.subscriptions.service import validate_language

        changes["language"] = validate_language(changes["language"]) or "en"
    if "subscriber_notifiers" in changes:
        changes["subscriber_notifiers"] = _check_subscriber_notifiers(
            changes["subscriber_notifiers"]
        )

    page = Page.objects.select_for_update().get(pk=page.pk)
    changes = _apply_access_changes(page, changes)
    previous_domain = page.domain
    for field, value in changes.items():
        setattr(page, field, value)
    full_clean(page)
    page.save(update_fields=[*changes, "updated_at"])

    if page.domain != previous_domain:
        page_domain_changed.send(
            sender=Page, page=page, previous_domain=previous_domain
        )
    emit(EventKind.PAGE_UPDATED, page, {"page_id": page.pk, "fields": sorted(changes)})
    logger.info("Page %s updated: %s", page.pk, ", ".join(sorted(changes)))
    return page


@transaction.atomic
def announce_page_change(page: Page, reason: str) -> None:
    """Record that what visitors see of ``page`` changed outside the core.

    The CMS calls it when it publishes or unpublishes a page's branding,
    which no core model holds. It writes a ``page.updated`` event with
    ``{"page_id": ..., "reason": reason}``, so that every process that renders the page,
    such as the snapshot refresher of each web process, learns of it
    from the outbox.
    """
    emit(EventKind.PAGE_UPDATED, page, {"page_id": page.pk, "reason": reason})
    logger.info("Page %s announced as changed: %s", page.pk, reason)


EDITABLE_ORGANIZATION_FIELDS = ("name", "slug")


@transaction.atomic
def update_organization(organization: Organization, **changes) -> Organization:
    """Change an organisation's name or slug; an invalid or duplicate value
    raises ``ValidationFailed`` and changes nothing."""
    unknown = set(changes) - set(EDITABLE_ORGANIZATION_FIELDS)
    if unknown:
        raise ValidationFailed(
            {field: ["This field cannot be changed here."] for field in sorted(unknown)}
        )

    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    for field, value in changes.items():
        setattr(organization, field, value)
    full_clean(organization)
    organization.save(update_fields=list(changes))
    logger.info(
        "Organization %s updated: %s", organization.pk, ", ".join(sorted(changes))
    )
    return organization
