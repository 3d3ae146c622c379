"""Organisation roles carried by Wagtail groups and page permissions.

Each organisation has one Wagtail group per role, such as "Acme editors".
A group has the Django model permissions of its role
(:func:`role_permission_codenames`), page permissions on the organisation's
status pages (:data:`ROLE_PAGE_PERMISSIONS`), and the users who have that
role in the organisation. Which objects a permission reaches is decided
elsewhere: every admin screen shows only the organisation's objects
(``statuscms.scope``).

:func:`sync_organization` makes the groups match the memberships. It runs
whenever a membership changes (``statuscore.signals.membership_changed``),
whenever a status page is saved, and from ``manage.py sync_roles``. It is
idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from wagtail.models import GroupPagePermission
from wagtail.models import Page as WagtailPage

from statuscms.organization_models import OrganizationGroup, OrganizationLogEntry
from statuscore.models import Membership, Organization, Role

__all__ = [
    "ROLE_PAGE_PERMISSIONS",
    "group_name",
    "role_permission_codenames",
    "sync_all",
    "sync_organization",
    "sync_status_page",
]

logger = logging.getLogger(__name__)

# Models of statuscore that editors write and viewers read: the content of
# a status page. Names missing from the installed models are skipped, so
# this list may name models another version adds.
CONTENT_MODELS = (
    "incident",
    "incidentupdate",
    "maintenance",
    "maintenanceupdate",
    "maintenanceseries",
    "component",
    "componentgroup",
    "check",
    "subscriber",
)

# Permissions only owners have: who is a member, where the team is
# alerted, the delivery log, and the settings of the organisation and its
# pages.
OWNER_ONLY_PERMISSIONS = (
    "add_alertchannel",
    "change_alertchannel",
    "delete_alertchannel",
    "view_alertchannel",
    "add_membership",
    "change_membership",
    "delete_membership",
    "view_membership",
    "view_delivery",
    "change_organization",
    "view_organization",
    "change_page",
    "view_page",
)

EDIT_ACTIONS = ("add", "change", "delete", "view")

# Publishing an incident draft posts it to the public page. Owners and
# editors may, unless the organisation reviews drafts
# (``statuscms.incident_review``); then only the review's groups may.
DRAFT_PUBLISH_PERMISSION = "publish_incidentdraft"

# Wagtail page permissions on the organisation's status pages and the
# pages below them (such as postmortems). Editors may not change the
# status page itself: ``statuscms.wagtail_hooks`` leaves that to owners.
# Viewers have none, so Wagtail's page explorer does not show them pages.
ROLE_PAGE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.OWNER: ("add", "change", "publish", "lock", "unlock"),
    Role.EDITOR: ("add", "change", "publish"),
    Role.VIEWER: (),
}

ROLE_PLURALS = {Role.OWNER: "owners", Role.EDITOR: "editors", Role.VIEWER: "viewers"}

# Models of statuscms that are not editorial content: role bookkeeping
# and log entries, which no role edits directly.
INTERNAL_CMS_MODELS = (OrganizationGroup, OrganizationLogEntry)


def _cms_content_models() -> list[str]:
    """Return the model names of statuscms snippets and other non-page models.

    Models added later to statuscms, such as incident templates, are
    editorial content, so editors get them without a change here.
    """
    names = []
    for model in apps.get_app_config("statuscms").get_models():
        if issubclass(model, WagtailPage) or model in INTERNAL_CMS_MODELS:
            continue
        names.append(model._meta.model_name)
    return sorted(names)


def role_permission_codenames(
    role: str, *, review_on: bool = False
) -> dict[str, set[str]]:
    """Return the model permissions of ``role`` as ``{app_label: {codename}}``.

    - viewer: view on the content models of statuscore and statuscms;
    - editor: add, change, delete and view on them, and publish on incident
      drafts unless ``review_on`` (the organisation reviews drafts);
    - owner: everything an editor has, plus add, change, delete and view on
      alert channels and memberships, change and view on the organisation
      and its pages, and view on the delivery log.

    Every role also has ``wagtailadmin.access_admin``.
    """
    content_actions = ("view",) if role == Role.VIEWER else EDIT_ACTIONS
    statuscore = {f"{a}_{m}" for m in CONTENT_MODELS for a in content_actions}
    statuscms = {f"{a}_{m}" for m in _cms_content_models() for a in content_actions}
    if role == Role.OWNER:
        statuscore |= set(OWNER_ONLY_PERMISSIONS)
    if role != Role.VIEWER and not review_on:
        statuscms.add(DRAFT_PUBLISH_PERMISSION)
    return {
        "wagtailadmin": {"access_admin"},
        "statuscore": statuscore,
        "statuscms": statuscms,
    }


def _permissions_for(role: str, *, review_on: bool = False) -> list[Permission]:
    query = Q(pk__in=[])
    codenames_by_app = role_permission_codenames(role, review_on=review_on)
    for app_label, codenames in codenames_by_app.items():
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    return list(Permission.objects.filter(query))


def _page_permissions_for(role: str) -> list[Permission]:
    codenames = [f"{action}_page" for action in ROLE_PAGE_PERMISSIONS[role]]
    return list(
        Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=codenames
        )
    )


def group_name(organization: Organization, role: str) -> str:
    """Return the group's name, such as "Acme editors"."""
    return f"{organization.name} {ROLE_PLURALS[role]}"


def _unique_group_name(organization: Organization, role: str, group: Group | None):
    """Return :func:`group_name`, with the organisation's slug added when
    another group already has that name (group names are unique)."""
    name = group_name(organization, role)
    same_name = Group.objects.filter(name=name)
    if group is not None:
        same_name = same_name.exclude(pk=group.pk)
    if same_name.exists():
        name = f"{name} ({organization.slug})"
    return name


def _ensure_group(organization: Organization, role: str) -> Group:
    link = (
        OrganizationGroup.objects.select_related("group")
        .filter(organization=organization, role=role)
        .first()
    )
    group = None if link is None else link.group
    name = _unique_group_name(organization, role, group)

    if group is None:
        group = Group.objects.create(name=name)
        OrganizationGroup.objects.create(
            organization=organization, role=role, group=group
        )
        logger.info(
            "Group %s (%s) created for organization %s", group.pk, name, organization.pk
        )
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    return group


def _status_pages_of(organization: Organization) -> list[WagtailPage]:
    from statuscms.models import StatusPage

    return list(StatusPage.objects.filter(core_page__organization=organization))


def _sync_page_permissions(group: Group, role: str, pages: list[WagtailPage]) -> None:
    """Give ``group`` exactly the role's permissions on ``pages`` and none
    on any other page."""
    expected = {
        (page.pk, permission.pk)
        for page in pages
        for permission in _page_permissions_for(role)
    }
    existing = {
        (row.page_id, row.permission_id): row.pk
        for row in GroupPagePermission.objects.filter(group=group)
    }

    stale = [pk for key, pk in existing.items() if key not in expected]
    GroupPagePermission.objects.filter(pk__in=stale).delete()

    GroupPagePermission.objects.bulk_create(
        GroupPagePermission(group=group, page_id=page_id, permission_id=permission_id)
        for page_id, permission_id in expected - set(existing)
    )


def _draft_approver_group_ids(organization: Organization) -> set[int] | None:
    """Return the ids of the groups that approve the organisation's incident
    drafts, or None when it does not review them."""
    from wagtail.models import GroupApprovalTask

    from statuscms.drafts import IncidentReview

    review = IncidentReview.objects.filter(
        organization=organization, workflow__active=True
    ).first()
    if review is None:
        return None
    tasks = GroupApprovalTask.objects.filter(workflow_tasks__workflow=review.workflow)
    return set(tasks.values_list("groups", flat=True)) - {None}


@transaction.atomic
def sync_organization(organization: Organization) -> None:
    """Make the organisation's role groups match its memberships and pages.

    1. Create any missing group, and rename a group after the organisation
       was renamed.
    2. Set each group's model permissions to exactly those of its role;
       while the organisation reviews incident drafts, only the review's
       groups keep the permission to publish them.
    3. Give each group its role's page permissions on the organisation's
       status pages, and remove any it has on other pages.
    4. Make each group's members exactly the users with that role.
    """
    pages = _status_pages_of(organization)
    approvers = _draft_approver_group_ids(organization)
    for role in Role.values:
        group = _ensure_group(organization, role)

        permissions = _permissions_for(role, review_on=approvers is not None)
        if approvers and group.pk in approvers:
            permissions += Permission.objects.filter(
                content_type__app_label="statuscms", codename=DRAFT_PUBLISH_PERMISSION
            )
        group.permissions.set(permissions)

        _sync_page_permissions(group, role, pages)

        members = Membership.objects.filter(organization=organization, role=role)
        group.user_set.set(members.values_list("user_id", flat=True))

    logger.debug("Role groups of organization %s synchronised", organization.pk)


@transaction.atomic
def sync_status_page(status_page: WagtailPage) -> None:
    """Give the page's organisation its role groups' page permissions, and
    take away those of other organisations' role groups.

    Runs when a status page is saved, because a new page or a page shown
    on another core page changes who may edit it.
    """
    organization = status_page.core_page.organization
    GroupPagePermission.objects.filter(
        page=status_page, group__organization_role__isnull=False
    ).exclude(group__organization_role__organization=organization).delete()
    sync_organization(organization)


def sync_all() -> int:
    """Synchronise every organisation's groups; return how many there were."""
    count = 0
    for organization in Organization.objects.all():
        sync_organization(organization)
        count += 1
    logger.info("Role groups of %s organizations synchronised", count)
    return count
