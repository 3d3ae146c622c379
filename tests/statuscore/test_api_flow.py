"""An integrator's script, end to end over HTTP with Django's test client.

Register, sign in, create a page, two components and a check, open an
incident, post two updates and resolve it. After each step the public v2
JSON (summary, incidents, unresolved incidents, components) is read and
must show that step.
"""

from __future__ import annotations

import json

import pytest

HOST = "status.flow.test"


class Script:
    """The integrator: JSON requests with the access token of the account."""

    def __init__(self, client) -> None:
        self.client = client
        self.headers: dict[str, str] = {}

    def post(self, path: str, body: dict, expected: int = 201) -> dict:
        response = self.client.post(
            path, json.dumps(body), content_type="application/json", **self.headers
        )
        assert response.status_code == expected, response.content
        return response.json()

    def public(self, name: str) -> dict:
        response = self.client.get(f"/api/v2/{name}", HTTP_HOST=HOST)
        assert response.status_code == 200, response.content
        return response.json()

    def component_statuses(self) -> dict[str, str]:
        components = self.public("components.json")["components"]
        return {item["name"]: item["status"] for item in components}


@pytest.fixture
def script(client, db, settings):
    settings.STATUSCORE_API_REGISTRATION = True
    return Script(client)


def test_incident_flow_reflected_in_public_json(script):
    # 1. Register an account with its organisation, then sign in.
    registered = script.post(
        "/api/v1/auth/register",
        {
            "username": "integrator",
            "email": "integrator@example.test",
            "password": "a long and unusual passphrase",
            "organization_name": "Flow Inc",
        },
    )
    (membership,) = registered["user"]["memberships"]
    assert membership["role"] == "owner"

    tokens = script.post(
        "/api/v1/auth/login",
        {"username": "integrator", "password": "a long and unusual passphrase"},
        expected=200,
    )
    script.headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}

    # 2. A page on its own domain, two components and a check.
    page = script.post(
        "/api/v1/pages",
        {
            "organization_id": membership["organization_id"],
            "name": "Flow Status",
            "slug": "flow",
            "domain": HOST,
        },
    )
    api = script.post("/api/v1/components", {"page_id": page["id"], "name": "API"})
    web = script.post("/api/v1/components", {"page_id": page["id"], "name": "Website"})
    check = script.post(
        "/api/v1/checks",
        {
            "page_id": page["id"],
            "component_id": api["id"],
            "name": "API port",
            "checker": "tcp",
            "config": {"host": "127.0.0.1", "port": 9},
            "interval_seconds": 60,
        },
    )
    assert check["component_id"] == api["id"]

    summary = script.public("summary.json")
    assert summary["page"]["name"] == "Flow Status"
    assert summary["status"]["indicator"] == "none"
    assert summary["incidents"] == []
    assert script.component_statuses() == {
        "API": "operational",
        "Website": "operational",
    }
    assert script.public("incidents.json")["incidents"] == []

    # 3. Open an incident that takes the API down.
    incident = script.post(
        "/api/v1/incidents",
        {
            "page_id": page["id"],
            "name": "API errors",
            "impact": "major",
            "status": "investigating",
            "body": "Requests to the API fail.",
            "components": [{"id": api["id"], "status": "major_outage"}],
        },
    )
    incident_path = f"/api/v1/incidents/{incident['id']}"

    summary = script.public("summary.json")
    (listed,) = summary["incidents"]
    assert listed["id"] == str(incident["id"])
    assert listed["status"] == "investigating"
    assert listed["impact"] == "major"
    assert len(listed["incident_updates"]) == 1
    # A component in major outage outweighs the incident's major impact.
    assert summary["status"]["indicator"] == "critical"
    assert script.component_statuses() == {
        "API": "major_outage",
        "Website": "operational",
    }
    (unresolved,) = script.public("incidents/unresolved.json")["incidents"]
    assert unresolved["id"] == str(incident["id"])

    # 4. First update: the cause is found and the website suffers too.
    script.post(
        f"{incident_path}/updates",
        {
            "status": "identified",
            "body": "A bad deploy; rolling back.",
            "components": [{"id": web["id"], "status": "degraded_performance"}],
        },
    )

    (listed,) = script.public("incidents.json")["incidents"]
    assert listed["status"] == "identified"
    assert len(listed["incident_updates"]) == 2
    assert listed["incident_updates"][0]["body"] == "A bad deploy; rolling back."
    assert script.component_statuses() == {
        "API": "major_outage",
        "Website": "degraded_performance",
    }

    # 5. Second update: the fix is out and being watched.
    script.post(
        f"{incident_path}/updates",
        {
            "status": "monitoring",
            "body": "The rollback is done; watching error rates.",
            "components": [
                {"id": api["id"], "status": "operational"},
                {"id": web["id"], "status": "operational"},
            ],
        },
    )

    summary = script.public("summary.json")
    (listed,) = summary["incidents"]
    assert summary["status"]["indicator"] == "major"
    assert listed["status"] == "monitoring"
    assert listed["monitoring_at"] is not None
    assert len(listed["incident_updates"]) == 3
    assert listed["resolved_at"] is None
    assert script.component_statuses() == {
        "API": "operational",
        "Website": "operational",
    }

    # 6. Resolve it.
    resolved = script.post(
        f"{incident_path}/resolve", {"body": "Error rates are normal."}, expected=200
    )
    assert resolved["status"] == "resolved"

    summary = script.public("summary.json")
    assert summary["incidents"] == []
    assert summary["status"]["indicator"] == "none"
    assert script.public("incidents/unresolved.json")["incidents"] == []
    (listed,) = script.public("incidents.json")["incidents"]
    assert listed["status"] == "resolved"
    assert listed["resolved_at"] is not None
    assert len(listed["incident_updates"]) == 4
    assert script.component_statuses() == {
        "API": "operational",
        "Website": "operational",
    }
