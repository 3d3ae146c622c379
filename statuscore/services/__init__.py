"""Every change to the domain goes through these functions.

Each one validates its input, writes, and emits the matching event in one
transaction. The API, the admin, the monitor and management commands call
them; none of those writes domain models directly.
"""

from statuscore.services.channels import (
    create_alert_channel,
    delete_alert_channel,
    enable_alert_channel,
    update_alert_channel,
)
from statuscore.services.checks import (
    create_check,
    delete_check,
    record_result,
    update_check,
)
from statuscore.services.components import (
    create_component,
    create_component_group,
    delete_component,
    delete_component_group,
    set_component_status,
    update_component,
    update_component_group,
)
from statuscore.services.heartbeats import (
    create_push_check,
    record_push,
    regenerate_push_token,
)
from statuscore.services.incident_updates import (
    delete_incident_update,
    edit_incident_update,
)
from statuscore.services.incidents import (
    approve_incident,
    create_incident,
    delete_incident,
    post_incident_update,
    resolve_incident,
    update_incident,
)
from statuscore.services.maintenance_series import (
    create_maintenance_series,
    end_maintenance_series,
    update_maintenance_series,
)
from statuscore.services.maintenances import (
    cancel_maintenance,
    complete_maintenance,
    delete_maintenance,
    post_maintenance_update,
    run_due_maintenances,
    schedule_maintenance,
    start_maintenance,
    update_maintenance,
)
from statuscore.services.pages import (
    add_member,
    announce_page_change,
    change_member_role,
    create_organization,
    create_page,
    remove_member,
    update_organization,
    update_page,
)

__all__ = [
    "add_member",
    "announce_page_change",
    "approve_incident",
    "create_maintenance_series",
    "delete_incident",
    "delete_incident_update",
    "delete_maintenance",
    "edit_incident_update",
    "end_maintenance_series",
    "post_maintenance_update",
    "resolve_incident",
    "update_incident",
    "update_maintenance_series",
    "cancel_maintenance",
    "change_member_role",
    "complete_maintenance",
    "create_alert_channel",
    "create_organization",
    "create_page",
    "create_check",
    "create_component",
    "create_component_group",
    "create_incident",
    "create_push_check",
    "delete_alert_channel",
    "delete_check",
    "delete_component",
    "delete_component_group",
    "enable_alert_channel",
    "post_incident_update",
    "record_push",
    "record_result",
    "regenerate_push_token",
    "remove_member",
    "run_due_maintenances",
    "schedule_maintenance",
    "set_component_status",
    "start_maintenance",
    "update_alert_channel",
    "update_check",
    "update_component",
    "update_component_group",
    "update_maintenance",
    "update_organization",
    "update_page",
]
