"""Admin screens for owners to manage the members of their organisations.

Changes go through ``statuscore.services`` (``add_member``,
``change_member_role``, ``remove_member``), which rebuild the
organisation's role groups and write the audit log entry. Owners see and
change only the members of organisations they own; the screens are
scoped like every other (``statuscms.permissions``).
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from statuscms.permissions import OrganizationScopedViewSetMixin
from statuscms.views import ServiceFormMixin
from statuscore import services
from statuscore.exceptions import NotFound, ValidationFailed
from statuscore.models import Membership, Organization

__all__ = ["MemberViewSet"]

logger = logging.getLogger(__name__)


class MemberCreateForm(forms.ModelForm):
    """A new member: an existing user, by user name, and a role."""

    username = forms.CharField(
        label="User name",
        help_text="The user name of an existing user. An administrator creates "
        "users in Settings → Users.",
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(), label="Organisation"
    )

    class Meta:
        model = Membership
        fields = ["organization", "role"]

    field_order = ["organization", "username", "role"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise forms.ValidationError(f"No user is named {username!r}.")
        return user


class MemberEditForm(forms.ModelForm):
    """The role of an existing member."""

    class Meta:
        model = Membership
        fields = ["role"]


def _user_label(membership: Membership) -> str:
    user = membership.user
    full_name = user.get_full_name().strip()
    username = user.get_username()
    return f"{full_name} ({username})" if full_name else username


class MemberIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "organization")


class MemberCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self) -> Membership:
        data = self.form.cleaned_data
        organization = data["organization"]
        user = data["username"]
        if Membership.objects.filter(organization=organization, user=user).exists():
            raise ValidationFailed.for_field(
                "username", "This user is already a member; change their role instead."
            )
        return services.add_member(organization, user, data["role"])


class MemberEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self) -> Membership:
        membership = self.object
        return services.change_member_role(
            membership.organization, membership.user, self.form.cleaned_data["role"]
        )


class MemberDeleteView(generic.DeleteView):
    def delete_action(self) -> None:
        membership = self.object
        services.remove_member(membership.organization, membership.user)

    def form_valid(self, form):
        """Remove the member, or show why not (such as the last owner)."""
        try:
            return super().form_valid(form)
        except (NotFound, ValidationFailed) as error:
            logger.info(
                "Removal of user %s from organization %s by user %s rejected: %s",
                self.object.user_id,
                self.object.organization_id,
                self.request.user.pk,
                error,
            )
            messages.error(self.request, f"The member was not removed: {error}")
            return redirect(self.get_success_url())


class MemberViewSet(OrganizationScopedViewSetMixin, ModelViewSet):
    """Members of the organisations the user owns, with their roles."""

    model = Membership
    name = "status_members"
    icon = "group"
    menu_label = "Members"
    add_to_settings_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    search_backend_name = None

    index_view_class = MemberIndexView
    add_view_class = MemberCreateView
    edit_view_class = MemberEditView
    delete_view_class = MemberDeleteView

    list_display = [
        Column("user", label="User", accessor=_user_label),
        "organization",
        "role",
        "created_at",
    ]
    list_filter = ["organization", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]

    def get_form_class(self, for_update: bool = False):
        return MemberEditForm if for_update else MemberCreateForm
