"""/api/v1/checks: configuration validated by the checker, secrets masked,
results and daily uptime."""

# ruff: noqa: F811

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from statuscore.checkers import Outcome
from statuscore.models import Check, Heartbeat, OutboxEvent
from statuscore.services import record_result
from tests.statuscore.api_fixtures import (  # noqa: F401
    error_fields,
    patch_json,
    post_json,
    tenant_a,
)

pytestmark = pytest.mark.django_db

SECRET = "s3cret-token-value"


def _http_check_body(tenant, **config) -> dict:
    return {
        "page_id": tenant.page.pk,
        "name": "Website",
        "checker": "http",
        "config": {"url": "http://127.0.0.1:9/health", **config},
    }


def test_create_check(tenant_a):
    response = post_json(
        tenant_a.user_client(), "/api/v1/checks", _http_check_body(tenant_a)
    )

    assert response.status_code == 201
    assert response.json()["checker"] == "http"
    assert response.json()["state"] == "unknown"
    assert response.json()["next_run_at"] is not None


def test_invalid_config_names_field(tenant_a):
    body = {
        "page_id": tenant_a.page.pk,
        "name": "Port",
        "checker": "tcp",
        "config": {"host": "127.0.0.1", "port": 70000},
    }

    response = post_json(tenant_a.user_client(), "/api/v1/checks", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.config.port"]
    assert not Check.objects.filter(name="Port").exists()


def test_config_of_wrong_type_names_field(tenant_a):
    body = _http_check_body(tenant_a, headers="not an object")

    response = post_json(tenant_a.user_client(), "/api/v1/checks", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.config.headers"]


def test_unknown_checker_names_field(tenant_a):
    body = {**_http_check_body(tenant_a), "checker": "carrier-pigeon"}

    response = post_json(tenant_a.user_client(), "/api/v1/checks", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.checker"]


def test_interval_out_of_range_names_field(tenant_a):
    body = {**_http_check_body(tenant_a), "interval_seconds": 1}

    response = post_json(tenant_a.user_client(), "/api/v1/checks", body)

    assert response.status_code == 422
    assert error_fields(response) == ["body.interval_seconds"]


def test_secret_masked_in_output(tenant_a):
    body = _http_check_body(tenant_a, bearer_token=SECRET)

    created = post_json(tenant_a.user_client(), "/api/v1/checks", body)
    read = tenant_a.user_client().get(f"/api/v1/checks/{created.json()['id']}")

    assert created.json()["config"]["bearer_token"] == "**********"
    assert read.json()["config"]["bearer_token"] == "**********"
    assert SECRET not in read.content.decode()
    assert Check.objects.get(pk=created.json()["id"]).config["bearer_token"] == SECRET


def test_nested_secret_masked(tenant_a):
    body = _http_check_body(
        tenant_a, basic_auth={"username": "ada", "password": SECRET}
    )

    created = post_json(tenant_a.user_client(), "/api/v1/checks", body)

    assert created.json()["config"]["basic_auth"] == {
        "username": "ada",
        "password": "**********",
    }


def test_mask_sent_back_keeps_secret(tenant_a):
    client = tenant_a.user_client()
    created = post_json(
        client, "/api/v1/checks", _http_check_body(tenant_a, bearer_token=SECRET)
    ).json()
    config = {**created["config"], "url": "http://127.0.0.1:9/other"}

    response = patch_json(client, f"/api/v1/checks/{created['id']}", {"config": config})

    assert response.status_code == 200
    stored = Check.objects.get(pk=created["id"]).config
    assert stored["bearer_token"] == SECRET
    assert stored["url"] == "http://127.0.0.1:9/other"


def test_update_with_invalid_config_keeps_check(tenant_a):
    url = f"/api/v1/checks/{tenant_a.check.pk}"

    response = patch_json(tenant_a.user_client(), url, {"config": {"host": ""}})

    assert response.status_code == 422
    assert "body.config.host" in error_fields(response)
    assert Check.objects.get(pk=tenant_a.check.pk).config["host"] == "127.0.0.1"


def test_push_check_returns_token_once(tenant_a):
    body = {
        "page_id": tenant_a.page.pk,
        "name": "Nightly backup",
        "checker": "heartbeat",
        "config": {"period_seconds": 86400},
    }

    created = post_json(tenant_a.user_client(), "/api/v1/checks", body)
    read = tenant_a.user_client().get(f"/api/v1/checks/{created.json()['id']}")

    assert created.status_code == 201, created.content
    assert created.json()["push_token"]
    assert created["Cache-Control"] == "no-store"
    assert Heartbeat.objects.filter(uptime_check_id=created.json()["id"]).exists()
    assert read.json()["push_token"] is None


def test_filter_checks_by_state(tenant_a):
    client = tenant_a.user_client()

    unknown = client.get("/api/v1/checks", {"state": "unknown"}).json()
    down = client.get("/api/v1/checks", {"state": "down"}).json()

    assert unknown["count"] + down["count"] == 1


def test_delete_check(tenant_a):
    response = tenant_a.user_client().delete(f"/api/v1/checks/{tenant_a.check.pk}")

    assert response.status_code == 204
    assert not Check.objects.filter(pk=tenant_a.check.pk).exists()
    assert OutboxEvent.objects.filter(kind="check.deleted").exists()


def _record(check, status: str, minutes_ago: int) -> None:
    record_result(
        check.pk,
        Outcome(status=status, response_time_ms=12.0 if status == "up" else None),
        checked_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_results_newest_first_and_paginated(tenant_a):
    for minutes in (4, 3, 2):
        _record(tenant_a.check, "up", minutes)

    response = tenant_a.user_client().get(
        f"/api/v1/checks/{tenant_a.check.pk}/results", {"limit": 2}
    )

    body = response.json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    times = [result["checked_at"] for result in body["results"]]
    assert times == sorted(times, reverse=True)
    assert body["next"] is not None


def test_results_time_range(tenant_a):
    for minutes in (30, 20, 10):
        _record(tenant_a.check, "up", minutes)
    now = timezone.now()
    params = {
        "since": (now - timedelta(minutes=25)).isoformat(),
        "until": (now - timedelta(minutes=15)).isoformat(),
    }

    response = tenant_a.user_client().get(
        f"/api/v1/checks/{tenant_a.check.pk}/results", params
    )

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_results_empty_range_rejected(tenant_a):
    now = timezone.now().isoformat()

    response = tenant_a.user_client().get(
        f"/api/v1/checks/{tenant_a.check.pk}/results", {"since": now, "until": now}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["query.until"]


def test_results_filtered_by_status(tenant_a):
    _record(tenant_a.check, "up", 1)

    response = tenant_a.user_client().get(
        f"/api/v1/checks/{tenant_a.check.pk}/results", {"status": "down"}
    )

    assert [r["status"] for r in response.json()["results"]] == ["down"]


def test_uptime_per_day(tenant_a):
    response = tenant_a.user_client().get(
        f"/api/v1/checks/{tenant_a.check.pk}/uptime", {"days": 7}
    )

    body = response.json()
    assert response.status_code == 200
    assert len(body["days"]) == 7
    assert body["days"][-1]["date"] == datetime.now(UTC).date().isoformat()
    # The fixture's result lies five minutes back: yesterday, just after
    # midnight UTC.
    recorded_on = tenant_a.result.checked_at.astimezone(UTC).date().isoformat()
    by_date = {day["date"]: day for day in body["days"]}
    assert by_date[recorded_on]["known_seconds"] > 0
    assert body["time_zone"] == "UTC"


def test_uptime_days_bounded(tenant_a):
    response = tenant_a.user_client().get(
        f"/api/v1/checks/{tenant_a.check.pk}/uptime", {"days": 0}
    )

    assert response.status_code == 422
    assert error_fields(response) == ["query.days"]


def test_offsets_mean_the_same_instant(tenant_a, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    instant = datetime(2026, 8, 6, 18, 31, 37, tzinfo=UTC)
    record_result(tenant_a.check.pk, Outcome(status="up"), checked_at=instant)
    url = f"/api/v1/checks/{tenant_a.check.pk}/results"
    client = tenant_a.user_client()

    same = client.get(url, {"since": "2026-08-07T00:01:37+05:30"}).json()
    later = client.get(url, {"since": "2026-08-06T18:31:38Z"}).json()
    naive = client.get(url, {"since": "2026-08-06 18:31:37"})

    assert [r["checked_at"] for r in same["results"]][-1] == "2026-08-06T18:31:37Z"
    assert "2026-08-06T18:31:37Z" not in [r["checked_at"] for r in later["results"]]
    assert naive.status_code == 422
    assert error_fields(naive) == ["query.since"]
