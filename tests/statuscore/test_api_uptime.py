"""``/api/v2/uptime.json`` and the uptime figures it is built from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statuscore.api.uptime import UptimeResponse
from statuscore.models import CheckResult, CheckRollupDay, Component
from statuscore.services.checks import create_check
from statuscore.testing import fake_plugin, temporary_plugin
from statuscore.uptime_summary import build_uptime

HOST = "status.acme.test"
UPTIME = "/api/v2/uptime.json"
NOW = datetime(2026, 3, 20, 6, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def check(page, component):
    return create_check(
        page, "API health", "fake", {}, component=component, interval_seconds=60
    )


def add_results(check, start, end, status="up"):
    """Add one result a minute in ``[start, end)``.

    With a 60 s interval, the last result covers up to ``end + 1 minute``.
    """
    count = int((end - start) / MINUTE)
    CheckResult.objects.bulk_create(
        CheckResult(
            uptime_check=check, checked_at=start + index * MINUTE, status=status
        )
        for index in range(count)
    )


def component_entry(payload, component):
    (entry,) = [
        item for item in payload["components"] if item["id"] == str(component.pk)
    ]
    return entry


def fetch(client):
    return client.get(UPTIME, HTTP_HOST=HOST)


def test_new_check_has_null_uptime(client, check, component):
    response = fetch(client)
    entry = component_entry(response.json(), component)

    assert response.status_code == 200
    assert entry["checks"] == 1
    assert entry["last_24_hours"]["uptime_percent"] is None
    assert entry["last_24_hours"]["covered_seconds"] == 0
    assert entry["last_90_days"]["uptime_percent"] is None
    assert entry["last_90_days"]["coverage"] == 0.0
    assert len(entry["days"]) == 90
    assert all(day["uptime_percent"] is None for day in entry["days"])


def test_component_without_checks_listed(client, component):
    entry = component_entry(fetch(client).json(), component)

    assert entry["checks"] == 0
    assert entry["last_7_days"]["uptime_percent"] is None


def test_response_matches_schema(client, check):
    add_results(check, NOW - 2 * HOUR, NOW)

    UptimeResponse.model_validate(fetch(client).json())


def test_gap_excluded_from_last_24_hours(check, page, component):
    gap_start = NOW - 10 * HOUR
    gap_end = NOW - 5 * HOUR
    # The last result before the gap covers one more minute, up to gap_start.
    add_results(check, NOW - 25 * HOUR, gap_start - MINUTE)
    add_results(check, gap_end, NOW)

    window = component_entry(build_uptime(page, now=NOW), component)["last_24_hours"]

    assert window["uptime_percent"] == 100.0
    assert window["covered_seconds"] == 19 * 3600
    assert window["period_seconds"] == 24 * 3600
    assert window["coverage"] == round(19 / 24, 4)


def test_down_only_where_results_say_down(check, page, component):
    gap_start = NOW - 10 * HOUR
    gap_end = NOW - 5 * HOUR
    add_results(check, NOW - 25 * HOUR, NOW - 12 * HOUR)
    add_results(check, NOW - 12 * HOUR, gap_start - MINUTE, status="down")
    add_results(check, gap_end, gap_end + HOUR, status="down")
    add_results(check, gap_end + HOUR, NOW)

    window = component_entry(build_uptime(page, now=NOW), component)["last_24_hours"]

    # 2 h down before the gap and 1 h after it, of 19 known hours. The
    # five unknown hours between them are not downtime.
    assert window["uptime_percent"] == round(100 * (1 - 3 / 19), 4)
    assert window["covered_seconds"] == 19 * 3600


def test_days_carry_date_and_coverage(check, page, component):
    add_results(check, NOW - 3 * HOUR, NOW)

    days = component_entry(build_uptime(page, now=NOW), component)["days"]

    assert days[-1]["date"] == "2026-03-20"
    assert days[-1]["uptime_percent"] == 100.0
    assert days[-1]["coverage"] == 0.5
    assert days[-2]["uptime_percent"] is None


def test_seven_days_sum_rolled_up_days(check, page, component):
    today = datetime(2026, 3, 20, tzinfo=UTC)
    CheckRollupDay.objects.create(
        uptime_check=check,
        bucket_start=today - timedelta(days=2),
        bucket_end=today - timedelta(days=1),
        checks_count=1440,
        known_seconds=86400,
        down_seconds=8640,
        computed_at=NOW,
    )

    entry = component_entry(build_uptime(page, now=NOW), component)

    assert entry["last_7_days"]["uptime_percent"] == 90.0
    assert entry["last_7_days"]["covered_seconds"] == 86400
    assert entry["last_24_hours"]["uptime_percent"] is None


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert fetch(client).status_code == 200
    return len(context.captured_queries)


def test_query_count_independent_of_size(client, page, component, check):
    add_results(check, datetime.now(UTC) - HOUR, datetime.now(UTC))
    small = count_queries(client)

    for index in range(3):
        other = Component.objects.create(page=page, name=f"Part {index}")
        extra = create_check(page, f"Check {index}", "fake", {}, component=other)
        add_results(extra, datetime.now(UTC) - 2 * HOUR, datetime.now(UTC))
        CheckRollupDay.objects.bulk_create(
            CheckRollupDay(
                uptime_check=extra,
                bucket_start=NOW - timedelta(days=offset + 1),
                bucket_end=NOW - timedelta(days=offset),
                checks_count=1440,
                known_seconds=86400,
                computed_at=NOW,
            )
            for offset in range(1, 90)
        )
    large = count_queries(client)

    assert large == small


def test_head_like_get_without_body(client, check):
    got = fetch(client)
    head = client.head(UPTIME, HTTP_HOST=HOST)

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == got["ETag"]
    assert head["Cache-Control"] == got["Cache-Control"]
    assert head["Access-Control-Allow-Origin"] == "*"


def test_unknown_page_is_404(client, check):
    response = client.get(UPTIME, {"page": "nope"}, HTTP_HOST="localhost")

    assert response.status_code == 404
