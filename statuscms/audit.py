"""Audit log entries for changes that Wagtail's own actions do not describe.

Admin screens log their saves with Wagtail's ``wagtail.create`` and
``wagtail.edit`` actions, stored as ``OrganizationLogEntry`` rows. Changes
of membership are logged here against the organisation, with the member
and the roles in ``data``, so the site history report shows who gave
whom which role.
"""

from __future__ import annotations

import logging

from wagtail.log_actions import LogFormatter, log

from statuscore.models import Organization

__all__ = ["MEMBER_ACTIONS", "log_membership_change", "register_member_actions"]

logger = logging.getLogger(__name__)


class MemberAdded(LogFormatter):
    label = "Add member"

    def format_message(self, log_entry) -> str:
        data = log_entry.data
        return f"Added {data.get('member')} as {data.get('role')}"


class MemberRoleChanged(LogFormatter):
    label = "Change member's role"

    def format_message(self, log_entry) -> str:
        data = log_entry.data
        return (
            f"Changed the role of {data.get('member')} from "
            f"{data.get('previous_role')} to {data.get('role')}"
        )


class MemberRemoved(LogFormatter):
    label = "Remove member"

    def format_message(self, log_entry) -> str:
        data = log_entry.data
        return f"Removed {data.get('member')}, who was {data.get('previous_role')}"


MEMBER_ACTIONS = {
    "statuscms.member_added": MemberAdded,
    "statuscms.member_role_changed": MemberRoleChanged,
    "statuscms.member_removed": MemberRemoved,
}


def register_member_actions(actions) -> None:
    """Register the membership actions with Wagtail's log action registry."""
    for action, formatter in MEMBER_ACTIONS.items():
        actions.register_action(action)(formatter)


def log_membership_change(
    organization: Organization, user, role: str | None, previous_role: str | None
) -> None:
    """Write the audit log entry of a membership change.

    The acting user is Wagtail's active log context, which the admin sets
    for each request. Changes made outside a request are logged with no
    user ("system").
    """
    if role is None:
        action = "statuscms.member_removed"
    elif previous_role is None:
        action = "statuscms.member_added"
    elif previous_role != role:
        action = "statuscms.member_role_changed"
    else:
        return

    log(
        organization,
        action,
        data={
            "member": user.get_username(),
            "member_id": user.pk,
            "role": role,
            "previous_role": previous_role,
        },
    )
    logger.debug(
        "Logged %s of user %s in organization %s", action, user.pk, organization.pk
    )
