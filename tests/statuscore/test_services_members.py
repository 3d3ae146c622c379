"""Membership services: adding, changing and removing members."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from statuscore import services
from statuscore.exceptions import NotFound, ValidationFailed
from statuscore.models import Membership, Role
from statuscore.signals import membership_changed


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="ada", password="pw")


@pytest.fixture
def owner(organization):
    owner = get_user_model().objects.create_user(username="owner", password="pw")
    services.add_member(organization, owner, Role.OWNER)
    return owner


@pytest.fixture
def changes():
    """The ``membership_changed`` signals sent during the test."""
    sent = []

    def record(sender, organization, user, role, previous_role, **kwargs):
        sent.append((organization.pk, user.pk, role, previous_role))

    membership_changed.connect(record, dispatch_uid="test_services_members")
    yield sent
    membership_changed.disconnect(dispatch_uid="test_services_members")


def test_add_member_sends_signal(organization, user, changes):
    services.add_member(organization, user, Role.EDITOR)

    assert changes == [(organization.pk, user.pk, "editor", None)]


def test_add_member_rejects_unknown_role(organization, user):
    with pytest.raises(ValidationFailed) as error:
        services.add_member(organization, user, "admin")

    assert "role" in error.value.errors


def test_change_member_role_updates_role(organization, user, changes):
    services.add_member(organization, user, Role.EDITOR)

    services.change_member_role(organization, user, Role.VIEWER)

    assert Membership.objects.get(user=user).role == Role.VIEWER
    assert changes[-1] == (organization.pk, user.pk, "viewer", "editor")


def test_change_member_role_of_non_member(organization, user):
    with pytest.raises(NotFound):
        services.change_member_role(organization, user, Role.VIEWER)


def test_remove_member_deletes_membership(organization, user, changes):
    services.add_member(organization, user, Role.EDITOR)

    services.remove_member(organization, user)

    assert not Membership.objects.filter(user=user).exists()
    assert changes[-1] == (organization.pk, user.pk, None, "editor")


def test_remove_member_of_non_member(organization, user):
    with pytest.raises(NotFound):
        services.remove_member(organization, user)


def test_last_owner_cannot_be_removed(organization, owner):
    with pytest.raises(ValidationFailed) as error:
        services.remove_member(organization, owner)

    assert "user" in error.value.errors
    assert Membership.objects.filter(user=owner, role=Role.OWNER).exists()


def test_last_owner_cannot_be_demoted(organization, owner):
    with pytest.raises(ValidationFailed) as error:
        services.change_member_role(organization, owner, Role.EDITOR)

    assert "role" in error.value.errors
    assert Membership.objects.get(user=owner).role == Role.OWNER


def test_owner_can_leave_when_another_owner_remains(organization, owner, user):
    services.add_member(organization, user, Role.OWNER)

    services.remove_member(organization, owner)

    assert list(Membership.objects.values_list("user_id", flat=True)) == [user.pk]
