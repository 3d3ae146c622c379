"""The Prometheus endpoint: check state, response time, result counters."""

from __future__ import annotations

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from statuscore.checkers import Outcome
from statuscore.services.checks import create_check, record_result
from statuscore.testing import fake_plugin, temporary_plugin


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


@pytest.fixture
def check(page):
    check = create_check(page, "API", "fake", {}, failure_threshold=1)
    for outcome in (Outcome("up", 20.0), Outcome("down", 40.0, "refused")):
        record_result(check.pk, outcome, timezone.now())
    return check


def samples(client) -> dict[tuple, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def labels(check, **extra) -> tuple:
    return tuple(
        sorted({"check_id": str(check.pk), "check_name": "API", **extra}.items())
    )


def test_metrics_state_one_hot(client, check):
    found = samples(client)

    assert found[("statuscore_check_state", labels(check, state="down"))] == 1
    assert found[("statuscore_check_state", labels(check, state="up"))] == 0


def test_metrics_last_response_time(client, check):
    found = samples(client)

    assert found[("statuscore_check_response_time_seconds", labels(check))] == 0.04


def test_metrics_results_by_status(client, check):
    found = samples(client)

    assert found[("statuscore_check_results_total", labels(check, status="up"))] == 1
    assert found[("statuscore_check_results_total", labels(check, status="down"))] == 1
    assert (
        found[("statuscore_check_results_total", labels(check, status="degraded"))]
        == 0
    )


def test_metrics_labels_only_id_and_name(client, check):
    names = {name for (_, label_pairs) in samples(client) for name, _ in label_pairs}

    assert names == {"check_id", "check_name", "state", "status"}


def test_metrics_content_type(client, check):
    response = client.get("/metrics")

    assert response["Content-Type"].startswith("text/plain")


def test_metrics_token_required(client, check, settings):
    settings.STATUSCORE_METRICS_TOKEN = "s3cret"

    missing = client.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    right = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})

    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert right.status_code == 200
