"""Cost of a public read as a page grows: time and queries per request."""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client

SIZES = (10, 200)
REQUESTS = 50


def _make_page(size: int) -> str:
    from statuscore import services

    slug = f"bench-reads-{size}"
    organization = services.create_organization(slug, slug)
    page = services.create_page(organization, slug, slug)
    groups = [services.create_component_group(page, f"group {i}") for i in range(5)]
    components = [
        services.create_component(page, f"component {i}", group=groups[i % 5])
        for i in range(size)
    ]
    for index in range(size // 10):
        services.create_incident(
            page,
            f"incident {index}",
            body="Investigating.",
            component_statuses={components[index]: "partial_outage"},
        )
    return slug


def _measure(client: Client, url: str, repeat: int) -> tuple[float, int]:
    # An execute wrapper, because Django empties connection.queries when a
    # request starts.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)

    medians = []
    for _ in range(repeat):
        timings = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            client.get(url)
            timings.append(time.perf_counter() - started)
        medians.append(statistics.median(timings))
    return statistics.median(medians) * 1000, len(queries)


def run(repeat: int) -> list[tuple[str, float, str, str]]:
    client = Client()
    rows = []
    results = {}
    for size in SIZES:
        slug = _make_page(size)
        milliseconds, queries = _measure(client, f"/api/v2/summary.json?page={slug}", repeat)
        results[size] = milliseconds
        rows.append(
            (
                f"summary.json, {size} components, {size // 10} open incidents",
                milliseconds,
                "ms/request",
                f"{queries} queries, Django test client",
            )
        )
    small, large = SIZES
    rows.append(
        (
            f"summary.json time ratio, {large} vs {small} components",
            results[large] / results[small],
            "x",
            "same run",
        )
    )
    return rows
