"""Run the real monitor on K HTTP checks for a fixed time and measure it.

Usage: ``python -m bench.monitoring [--checks K] [--seconds S]``. The
target is a minimal HTTP server on 127.0.0.1 in a child process, so its
CPU time is not counted. Checks start in state "up", as after a monitor
restart, so the run measures steady state rather than every check's first
state change. For reference, the same K requests are then sent by a bare
asyncio + httpx loop in this process.

Printed: checks per second, CPU seconds per 1,000 checks (``getrusage``
of this process, result storage included), scheduling lag p50 and p99
(actual start minus due time), and peak memory. The last line sums it up.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from collections.abc import Iterator
from datetime import timedelta

INTERVAL_SECONDS = 60
# Requests the bare loop keeps in flight. Spread checks keep only a few in
# flight at once, and httpx's CPU cost per request grows with concurrency
# (measured here: 1.5 ms at 10, 4.3 ms at 200), so a high number would
# flatter the monitor.
BARE_CONCURRENCY = 10
# Seconds between preparing the slots and the monitor's start, so the first
# slots are not already late when it begins.
START_MARGIN_SECONDS = 3


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@contextmanager
def target_process() -> Iterator[int]:
    """Start ``bench.targets`` in a child process and yield its port."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.targets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield int(child.stdout.readline())
    finally:
        child.stdin.close()
        child.wait(timeout=10)


def make_checks(count: int, port: int) -> list[int]:
    """Create ``count`` HTTP checks in bulk, already up, and return their ids."""
    from statuscore import services
    from statuscore.models import Check, CheckState

    organization = services.create_organization("bench", "bench-monitoring")
    page = services.create_page(organization, "bench", "bench-monitoring")
    config = services.checks.validate_check_config(
        "http", {"url": f"http://127.0.0.1:{port}/"}
    )
    checks = [
        Check(
            page=page,
            name=f"check {index}",
            checker="http",
            config={**config, "url": f"http://127.0.0.1:{port}/{index}"},
            interval_seconds=INTERVAL_SECONDS,
            timeout_seconds=10,
            state=CheckState.UP,
            announced_state=CheckState.UP,
        )
        for index in range(count)
    ]
    created = Check.objects.bulk_create(checks, batch_size=1000)
    return [check.pk for check in created]


def schedule_from(check_ids: list[int], start) -> None:
    """Give each check its first slot after ``start``."""
    from django.db import transaction

    from statuscore.models import Check
    from statuscore.services.checks import next_slot_after

    with transaction.atomic():
        for check_id in check_ids:
            Check.objects.filter(pk=check_id).update(
                next_run_at=next_slot_after(check_id, INTERVAL_SECONDS, start)
            )


async def run_monitor(seconds: float) -> tuple[int, float, float, list[float]]:
    """Run the monitor for ``seconds``; return results, wall and CPU time, lags."""
    from statuscore.monitor import Monitor

    lags: list[float] = []

    def on_start(check, started_at) -> None:
        lags.append((started_at - check.due_at).total_seconds())

    async with Monitor(on_start=on_start) as monitor:
        cpu_before, wall_before = cpu_seconds(), time.perf_counter()
        loop = asyncio.create_task(monitor.run_forever())
        await asyncio.sleep(seconds)
        monitor.stop()
        await loop
        wall = time.perf_counter() - wall_before
        cpu = cpu_seconds() - cpu_before
    return monitor.stats.recorded, wall, cpu, lags


async def run_bare_loop(count: int, port: int, concurrency: int) -> tuple[float, float]:
    """Send ``count`` GET requests with plain httpx; return wall and CPU time."""
    import httpx

    limit = asyncio.Semaphore(concurrency)

    async with httpx.AsyncClient(
        limits=httpx.Limits(max_connections=concurrency)
    ) as client:

        async def fetch(index: int) -> None:
            async with limit:
                response = await client.get(f"http://127.0.0.1:{port}/{index}")
                response.raise_for_status()

        cpu_before, wall_before = cpu_seconds(), time.perf_counter()
        await asyncio.gather(*(fetch(index) for index in range(count)))
        return time.perf_counter() - wall_before, cpu_seconds() - cpu_before


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.monitoring")
    parser.add_argument(
        "--checks", type=int, default=2000, help="number of HTTP checks to register"
    )
    parser.add_argument(
        "--seconds", type=float, default=65.0, help="seconds the monitor runs"
    )
    parser.add_argument(
        "--database-url",
        help="database to use, such as postgres://postgres@127.0.0.1/bench; "
        "by default a new SQLite file",
    )
    arguments = parser.parse_args()

    from bench.__main__ import setup_django

    with tempfile.TemporaryDirectory(prefix="statuspage-bench-") as var_dir:
        with target_process() as port:
            setup_django(var_dir, arguments.database_url)
            report(arguments.checks, arguments.seconds, port, arguments.database_url)


def report(count: int, seconds: float, port: int, database_url: str | None) -> None:
    from django.db import connection
    from django.utils import timezone

    check_ids = make_checks(count, port)
    start = timezone.now() + timedelta(seconds=START_MARGIN_SECONDS)
    schedule_from(check_ids, start)
    connection.close()

    recorded, wall, cpu, lags = asyncio.run(run_monitor(seconds))
    bare_wall, bare_cpu = asyncio.run(run_bare_loop(count, port, BARE_CONCURRENCY))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    per_second = recorded / wall
    cpu_per_thousand = cpu / recorded * 1000
    bare_per_thousand = bare_cpu / count * 1000
    lag_p50 = percentile(lags, 0.50)
    lag_p99 = percentile(lags, 0.99)
    database = "PostgreSQL" if database_url else "SQLite"

    print(f"checks: {count} HTTP at {INTERVAL_SECONDS} s interval, {database}")
    print(f"monitor: {recorded} results in {wall:.1f} s = {per_second:.1f} checks/s")
    print(f"monitor CPU: {cpu:.2f} s = {cpu_per_thousand:.2f} s per 1,000 checks")
    print(
        f"bare httpx loop: {count} requests in {bare_wall:.2f} s, "
        f"CPU {bare_per_thousand:.2f} s per 1,000"
    )
    print(f"scheduling lag: p50 {lag_p50:.3f} s, p99 {lag_p99:.3f} s, max {max(lags):.3f} s")
    print(f"peak memory: {peak_mib:.0f} MiB")
    print(
        f"SUMMARY checks={count} db={database} checks_per_s={per_second:.1f} "
        f"cpu_ms_per_check={cpu_per_thousand:.2f} "
        f"bare_cpu_ms_per_check={bare_per_thousand:.2f} "
        f"ratio={cpu_per_thousand / bare_per_thousand:.2f} "
        f"lag_p50_s={lag_p50:.3f} lag_p99_s={lag_p99:.3f} "
        f"peak_mib={peak_mib:.0f} mean_lag_s={statistics.fmean(lags):.3f}"
    )


if __name__ == "__main__":
    main()
