"""Keep the core page, role groups and page permissions in step with changes."""

from __future__ import annotations

import logging

from django.db.models.signals import post_delete, post_migrate, post_save
from wagtail.signals import page_published

from statuscms import domains, roles
from statuscms.audit import log_membership_change
from statuscms.models import StatusPage
from statuscms.organization_models import OrganizationGroup
from statuscore import services
from statuscore.models import Membership, Page
from statuscore.signals import membership_changed, page_domain_changed

logger = logging.getLogger(__name__)


def rename_core_page(sender, instance: StatusPage, **kwargs) -> None:
    """Rename the core page to the published title, so the API shows it.

    It runs on publish and not on save, because a draft title is not yet
    public.
    """
    core_page = instance.core_page
    if core_page.name == instance.title:
        return

    old_name = core_page.name
    services.update_page(core_page, name=instance.title)
    logger.info(
        "Core page %s renamed from %r to %r after status page %s was published",
        core_page.pk,
        old_name,
        instance.title,
        instance.pk,
    )


def sync_roles_of_member(
    sender, organization, user, role, previous_role=None, **kwargs
) -> None:
    """Apply a membership change to the organisation's role groups, and
    write it to the audit log."""
    roles.sync_organization(organization)
    log_membership_change(organization, user, role, previous_role)
    logger.info(
        "Admin groups of user %s in organization %s set for role %s",
        user.pk,
        organization.pk,
        role,
    )


def sync_page_permissions(sender, instance: StatusPage, raw=False, **kwargs) -> None:
    """Give the page's organisation its page permissions on a saved page."""
    if raw:
        return
    roles.sync_status_page(instance)


def delete_role_group(sender, instance: OrganizationGroup, **kwargs) -> None:
    """Delete the Wagtail group of a deleted organisation's role, so that
    its members keep none of its permissions."""
    instance.group.delete()
    logger.info(
        "Group %s of deleted organization %s removed",
        instance.group_id,
        instance.organization_id,
    )


def sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    """Give the role groups the permissions of models a migration added,
    such as a new statuscms snippet, which editors may then edit."""
    count = roles.sync_all()
    logger.info("Role groups of %s organizations synchronised after migrate", count)


def connect(app_config=None) -> None:
    page_published.connect(
        rename_core_page, sender=StatusPage, dispatch_uid="statuscms.rename_core_page"
    )
    membership_changed.connect(
        sync_roles_of_member,
        sender=Membership,
        dispatch_uid="statuscms.sync_roles_of_member",
    )
    post_save.connect(
        sync_page_permissions,
        sender=StatusPage,
        dispatch_uid="statuscms.sync_page_permissions",
    )
    page_domain_changed.connect(
        domains.follow_domain_change,
        sender=Page,
        dispatch_uid="statuscms.follow_domain_change",
    )
    post_save.connect(
        domains.give_new_page_its_site,
        sender=StatusPage,
        dispatch_uid="statuscms.give_new_page_its_site",
    )
    post_delete.connect(
        delete_role_group,
        sender=OrganizationGroup,
        dispatch_uid="statuscms.delete_role_group",
    )
    if app_config is not None:
        post_migrate.connect(
            sync_roles_after_migrate,
            sender=app_config,
            dispatch_uid="statuscms.sync_roles_after_migrate",
        )
