"""Organisation roles carried by Wagtail groups and page permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import GroupPagePermission

from statuscms.organization_models import OrganizationGroup
from statuscms.roles import role_permission_codenames, sync_all
from statuscore import services
from statuscore.models import Role


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="ada", password="pw")


def page_permissions(user, page) -> set[str]:
    rows = GroupPagePermission.objects.filter(group__user=user, page=page)
    return {row.permission.codename for row in rows}


def test_editor_gets_content_permissions(organization, status_page, user):
    services.add_member(organization, user, Role.EDITOR)

    assert user.has_perm("wagtailadmin.access_admin")
    assert user.has_perm("statuscore.add_incident")
    assert user.has_perm("statuscore.change_component")
    assert user.has_perm("statuscore.change_check")
    assert user.has_perm("statuscore.view_subscriber")
    assert not user.has_perm("statuscore.add_alertchannel")
    assert not user.has_perm("statuscore.change_membership")


def test_viewer_gets_view_permissions_only(organization, status_page, user):
    services.add_member(organization, user, Role.VIEWER)

    assert user.has_perm("wagtailadmin.access_admin")
    assert user.has_perm("statuscore.view_incident")
    assert user.has_perm("statuscore.view_component")
    assert not user.has_perm("statuscore.add_incident")
    assert not user.has_perm("statuscore.change_component")
    assert page_permissions(user, status_page) == set()


def test_owner_gets_editor_and_owner_permissions(organization, status_page, user):
    services.add_member(organization, user, Role.OWNER)

    assert user.has_perm("statuscore.add_incident")
    assert user.has_perm("statuscore.add_alertchannel")
    assert user.has_perm("statuscore.change_membership")
    assert user.has_perm("statuscore.view_delivery")
    assert page_permissions(user, status_page) == {
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    }


def test_editor_gets_page_permissions_on_own_page(organization, status_page, user):
    services.add_member(organization, user, Role.EDITOR)

    assert page_permissions(user, status_page) == {
        "add_page",
        "change_page",
        "publish_page",
    }


def test_group_is_named_after_organisation_and_role(organization, user):
    services.add_member(organization, user, Role.EDITOR)

    assert list(user.groups.values_list("name", flat=True)) == ["Acme editors"]


def test_role_change_moves_user_to_other_group(organization, status_page, user):
    services.add_member(organization, user, Role.EDITOR)

    services.change_member_role(organization, user, Role.VIEWER)

    user = get_user_model().objects.get(pk=user.pk)
    assert list(user.groups.values_list("name", flat=True)) == ["Acme viewers"]
    assert not user.has_perm("statuscore.add_incident")
    assert page_permissions(user, status_page) == set()


def test_removed_member_loses_admin_access(organization, status_page, user):
    services.add_member(organization, user, Role.EDITOR)

    services.remove_member(organization, user)

    user = get_user_model().objects.get(pk=user.pk)
    assert not user.groups.exists()
    assert not user.has_perm("wagtailadmin.access_admin")
    assert page_permissions(user, status_page) == set()


def test_new_status_page_grants_page_permissions(organization, page, user):
    from statuscms.setup import ensure_status_page

    services.add_member(organization, user, Role.EDITOR)

    status_page = ensure_status_page(page)

    assert page_permissions(user, status_page) == {
        "add_page",
        "change_page",
        "publish_page",
    }


def test_sync_is_idempotent(organization, status_page, user):
    services.add_member(organization, user, Role.OWNER)
    before = sorted(GroupPagePermission.objects.values_list("pk", flat=True))

    sync_all()
    sync_all()

    after = sorted(GroupPagePermission.objects.values_list("pk", flat=True))
    assert after == before
    assert Group.objects.filter(organization_role__isnull=False).count() == 3
    assert OrganizationGroup.objects.count() == 3


def test_sync_roles_command_repairs_groups(organization, status_page, user):
    services.add_member(organization, user, Role.EDITOR)
    editors = Group.objects.get(name="Acme editors")
    editors.permissions.clear()
    editors.user_set.clear()
    GroupPagePermission.objects.all().delete()

    call_command("sync_roles")

    user = get_user_model().objects.get(pk=user.pk)
    assert user.has_perm("statuscore.add_incident")
    assert page_permissions(user, status_page) == {
        "add_page",
        "change_page",
        "publish_page",
    }


def test_sync_renames_group_of_renamed_organisation(organization, user):
    services.add_member(organization, user, Role.EDITOR)
    organization.name = "Acme Corp"
    organization.save()

    sync_all()

    assert Group.objects.filter(name="Acme Corp editors").exists()


def test_group_name_taken_gets_slug(organization, user):
    Group.objects.create(name="Acme editors")

    services.add_member(organization, user, Role.EDITOR)

    assert list(user.groups.values_list("name", flat=True)) == ["Acme editors (acme)"]


def test_deleted_organisation_deletes_its_groups(organization, user):
    services.add_member(organization, user, Role.EDITOR)

    organization.delete()

    assert not Group.objects.filter(name__startswith="Acme").exists()


def test_viewer_permissions_are_all_view(organization):
    codenames = role_permission_codenames(Role.VIEWER)

    assert codenames["statuscore"]
    assert all(name.startswith("view_") for name in codenames["statuscore"])
    assert all(name.startswith("view_") for name in codenames["statuscms"])


def test_migrate_gives_groups_new_permissions(organization, user):
    from django.core.management.sql import emit_post_migrate_signal

    services.add_member(organization, user, Role.EDITOR)
    Group.objects.get(name="Acme editors").permissions.clear()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    user = get_user_model().objects.get(pk=user.pk)
    assert user.has_perm("statuscore.add_incident")
