"""Services for organisations and status pages."""

from __future__ import annotations

import logging

from django.db import transaction

from statuscore.exceptions import ValidationFailed
from statuscore.models import Membership, Organization, Page, Role
from statuscore.services.validation import full_clean, require_choice

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


def add_member(organization: Organization, user, role: str) -> Membership:
    """Give ``user`` a role in the organisation, replacing any earlier role."""
    require_choice("role", role, Role)
    membership, _ = Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def create_page(
    organization: Organization,
    name: str,
    slug: str,
    *,
    domain: str = "",
    url: str = "",
    time_zone: str = "UTC",
) -> Page:
    """Create a status page. ``domain`` is stored lower-case without a trailing dot."""
    page = Page(
        organization=organization,
        name=name,
        slug=slug,
        domain=domain.strip().lower().rstrip("."),
        url=url,
        time_zone=time_zone,
    )
    full_clean(page)
    page.save()
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
)


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
    language or the notifiers visitors may subscribe through.

    Raises ``ValidationFailed`` for any other field, or for an invalid or
    duplicate value, and then leaves the stored page unchanged. ``domain``
    is normalised as in :func:`create_page`.
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
    for field, value in changes.items():
        setattr(page, field, value)
    full_clean(page)
    page.save(update_fields=[*changes, "updated_at"])
    logger.info("Page %s updated: %s", page.pk, ", ".join(sorted(changes)))
    return page


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


def _require_another_owner(membership: Membership) -> None:
    """Raise ``ValidationFailed`` when ``membership`` is the last owner, so an
    organisation never loses the member who can manage its members."""
    if membership.role != Role.OWNER:
        return
    owners = Membership.objects.select_for_update().filter(
        organization_id=membership.organization_id, role=Role.OWNER
    )
    if owners.exclude(pk=membership.pk).count() == 0:
        raise ValidationFailed.for_field(
            "role",
            "This member is the organisation's last owner; make another "
            "member owner first.",
        )


@transaction.atomic
def change_member_role(membership: Membership, role: str) -> Membership:
    """Give a member another role; the last owner cannot step down."""
    require_choice("role", role, Role)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role != Role.OWNER:
        _require_another_owner(membership)

    membership.role = role
    membership.save(update_fields=["role"])
    logger.info(
        "Member %s of organization %s is now %s",
        membership.user_id,
        membership.organization_id,
        role,
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership) -> None:
    """Remove a member from the organisation; the last owner cannot leave."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _require_another_owner(membership)
    membership.delete()
    logger.info(
        "User %s removed from organization %s",
        membership.user_id,
        membership.organization_id,
    )
