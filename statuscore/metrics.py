"""Prometheus metrics of the checks, read from the database at each scrape.

The figures come from the check rows, which ``record_result`` keeps
current, so any web process serves the same numbers whichever monitor ran
the checks, and the counters survive a monitor restart. Labels carry only
the check's id and name, never its configuration.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from statuscore.conf import get_settings
from statuscore.models import Check, CheckState, ResultStatus

__all__ = ["CheckCollector", "metrics"]


class CheckCollector:
    """Yield the state, last response time and result counts of each check."""

    def collect(self) -> Iterator[Metric]:
        labels = ["check_id", "check_name"]
        state = GaugeMetricFamily(
            "statuscore_check_state",
            "Confirmed state of the check: 1 for the current state, 0 otherwise.",
            labels=[*labels, "state"],
        )
        flapping = GaugeMetricFamily(
            "statuscore_check_flapping",
            "1 while the check is flapping, else 0.",
            labels=labels,
        )
        response_time = GaugeMetricFamily(
            "statuscore_check_response_time_seconds",
            "Response time of the check's last result.",
            labels=labels,
        )
        results = CounterMetricFamily(
            "statuscore_check_results",
            "Results recorded for the check, by status.",
            labels=[*labels, "status"],
        )

        rows = Check.objects.filter(enabled=True).values_list(
            "pk",
            "name",
            "state",
            "flapping_since",
            "last_response_time_ms",
            "result_counts",
        )
        for pk, name, current, flapping_since, milliseconds, counts in rows.iterator():
            check = [str(pk), name]
            for value in CheckState.values:
                state.add_metric([*check, value], float(value == current))
            flapping.add_metric(check, float(flapping_since is not None))
            if milliseconds is not None:
                response_time.add_metric(check, milliseconds / 1000)
            for status in ResultStatus.values:
                results.add_metric([*check, status], counts.get(status, 0))

        yield from (state, flapping, response_time, results)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Serve the metrics in Prometheus' text format.

    When ``STATUSCORE_METRICS_TOKEN`` is set, the request must carry it as
    ``Authorization: Bearer <token>``, or gets 401.
    """
    token = get_settings().metrics_token
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return HttpResponse("Missing or invalid bearer token.\n", status=401)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(CheckCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
