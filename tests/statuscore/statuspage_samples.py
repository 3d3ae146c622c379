"""Responses of Atlassian Statuspage's public ``/api/v2/``, written down by hand.

The field names, nesting, enum values and timestamp format follow
Statuspage's public API documentation (``/api/v2/incidents.json`` and
``/api/v2/scheduled-maintenances.json`` of any Statuspage-hosted page) and
the fields its live endpoints return beside the documented ones
(``started_at``, ``components``, ``affected_components``,
``deliver_notifications``). Ids, names and text are invented.

Tests compare our payloads against these shapes: the same keys at every
level, the same JSON type wherever both values are not null.
"""

from __future__ import annotations

PAGE = {
    "id": "y2j98763l56x",
    "name": "Atlassian Statuspage",
    "url": "https://metastatuspage.com",
    "time_zone": "Etc/UTC",
    "updated_at": "2026-08-06T18:45:02.123Z",
}

COMPONENT = {
    "id": "b13yz5g2cw10",
    "name": "API",
    "status": "partial_outage",
    "created_at": "2026-01-10T09:00:00.000Z",
    "updated_at": "2026-08-06T18:31:40.512Z",
    "position": 1,
    "description": "The public REST API",
    "showcase": True,
    "start_date": None,
    "group_id": None,
    "page_id": "y2j98763l56x",
    "group": False,
    "only_show_if_degraded": False,
}

INCIDENT_UPDATE = {
    "id": "jdy3tw5mt5r5",
    "status": "identified",
    "body": "A bad deploy; rolling back.",
    "incident_id": "cp306tmzcl0y",
    "created_at": "2026-08-06T18:40:11.000Z",
    "updated_at": "2026-08-06T18:40:11.000Z",
    "display_at": "2026-08-06T18:40:11.000Z",
    "affected_components": [
        {
            "code": "b13yz5g2cw10",
            "name": "API",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ],
    "deliver_notifications": True,
    "custom_tweet": None,
    "tweet_id": None,
}

INCIDENT = {
    "id": "cp306tmzcl0y",
    "name": "Slow API requests",
    "status": "identified",
    "created_at": "2026-08-06T18:31:37.000Z",
    "updated_at": "2026-08-06T18:40:11.000Z",
    "monitoring_at": None,
    "resolved_at": None,
    "impact": "major",
    "shortlink": "https://stspg.io/abc123",
    "started_at": "2026-08-06T18:31:37.000Z",
    "page_id": "y2j98763l56x",
    "incident_updates": [INCIDENT_UPDATE],
    "components": [COMPONENT],
}

INCIDENTS_RESPONSE = {"page": PAGE, "incidents": [INCIDENT]}

MAINTENANCE_UPDATE = {
    "id": "qq0vx910b3qj",
    "status": "scheduled",
    "body": "The database moves to new hardware.",
    "incident_id": "w1zdr745wmfy",
    "created_at": "2026-08-01T10:00:00.000Z",
    "updated_at": "2026-08-01T10:00:00.000Z",
    "display_at": "2026-08-01T10:00:00.000Z",
    "affected_components": None,
    "deliver_notifications": True,
    "custom_tweet": None,
    "tweet_id": None,
}

SCHEDULED_MAINTENANCE = {
    "id": "w1zdr745wmfy",
    "name": "Database upgrade",
    "status": "scheduled",
    "created_at": "2026-08-01T10:00:00.000Z",
    "updated_at": "2026-08-01T10:00:00.000Z",
    "monitoring_at": None,
    "resolved_at": None,
    "impact": "maintenance",
    "shortlink": "https://stspg.io/def456",
    "started_at": "2026-08-10T22:00:00.000Z",
    "page_id": "y2j98763l56x",
    "incident_updates": [MAINTENANCE_UPDATE],
    "components": [COMPONENT],
    "scheduled_for": "2026-08-10T22:00:00.000Z",
    "scheduled_until": "2026-08-10T23:00:00.000Z",
}

SCHEDULED_MAINTENANCES_RESPONSE = {
    "page": PAGE,
    "scheduled_maintenances": [SCHEDULED_MAINTENANCE],
}

INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved"}
INCIDENT_IMPACTS = {"none", "minor", "major", "critical"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}
