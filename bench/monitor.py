"""How many checks per second one monitor process claims, runs and records."""

from __future__ import annotations

import asyncio
import statistics
import time

from django.utils import timezone

from bench.targets import FastTarget

CHECK_COUNTS = (50, 200)


def _make_checks(count: int, port: int) -> list[int]:
    from statuscore import services
    from statuscore.models import Organization, Page

    slug = f"bench-monitor-{count}"
    organization = Organization.objects.filter(slug=slug).first() or services.create_organization(slug, slug)
    page = Page.objects.filter(slug=slug).first() or services.create_page(organization, slug, slug)
    ids = []
    for index in range(count):
        component = services.create_component(page, f"c{index}")
        check = services.create_check(
            page,
            f"check {index}",
            "http",
            {"url": f"http://127.0.0.1:{port}/{index}"},
            component=component,
            interval_seconds=60,
            timeout_seconds=10,
        )
        ids.append(check.pk)
    return ids


async def _run_once(check_ids: list[int]) -> float:
    from statuscore.models import Check
    from statuscore.monitor import Monitor

    await Check.objects.filter(pk__in=check_ids).aupdate(next_run_at=timezone.now())
    async with Monitor(check_ids=check_ids) as monitor:
        started = time.perf_counter()
        ran = await monitor.run_due_checks()
        elapsed = time.perf_counter() - started
    assert ran == len(check_ids), f"ran {ran} of {len(check_ids)} checks"
    return elapsed


def run(repeat: int) -> list[tuple[str, float, str, str]]:
    rows = []
    with FastTarget() as target:
        for count in CHECK_COUNTS:
            check_ids = _make_checks(count, target.port)
            durations = [asyncio.run(_run_once(check_ids)) for _ in range(repeat)]
            median = statistics.median(durations)
            rows.append(
                (
                    f"monitor: {count} HTTP checks, claim + run + record",
                    count / median,
                    "checks/s",
                    f"batch median {median * 1000:.0f} ms, SQLite",
                )
            )
    return rows
