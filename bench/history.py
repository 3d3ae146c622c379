"""Measure public reads on a page with long check history.

Usage: ``python -m bench.history [--checks C] [--days D ...]
[--raw-days R] [--database-url URL]``. One page gets C HTTP checks at a
60 s interval, one component per check. Raw results are seeded at full
density for the last R days only, as retention would leave them. Hourly
and daily roll-ups are seeded for every closed hour and day of the last D
days. The figures are synthetic: every 500th result is down, and roll-ups
are filled from the same pattern rather than computed from raw rows.

Each size in ``--days`` is measured in turn on the same page, the larger
ones by adding older roll-ups, so the query counts per call can be
compared. Measured with the Django test client: ``GET /`` (the Wagtail
status page), ``GET /api/v2/summary.json`` and
``statuscore.history.uptime_history`` for one component over 90 days.

By default the database is a new SQLite file in a temporary folder. With
``--database-url postgres://...`` the benchmark creates that database,
seeds it with COPY, prints table sizes per check-day and drops it at the
end. The last line sums it up.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from urllib.parse import urlsplit, urlunsplit

from bench.monitoring import percentile

INTERVAL_SECONDS = 60
DOWN_EVERY = 500
"""One result in this many is down, so uptime is 99.8% and bars are not empty."""
BATCH_SIZE = 10_000
BUDGET_MS = 300.0
HISTORY_DAYS = 90

RESULT_COLUMNS = (
    "uptime_check_id",
    "checked_at",
    "status",
    "response_time_ms",
    "reason",
    "details",
    "region",
)
ROLLUP_COLUMNS = (
    "uptime_check_id",
    "bucket_start",
    "bucket_end",
    "checks_count",
    "failures_count",
    "degraded_count",
    "known_seconds",
    "down_seconds",
    "degraded_seconds",
    "maintenance_seconds",
    "latency_count",
    "latency_avg_ms",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "computed_at",
)


# Database creation and bulk loading


def _admin_url(database_url: str) -> tuple[str, str]:
    """Return the URL of the ``postgres`` maintenance database and the name
    of the benchmark database."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(
            f"--database-url {database_url!r} is not a PostgreSQL URL. "
            "Leave it out to use a temporary SQLite file."
        )
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(
            f"--database-url {database_url!r} has no database name. "
            "Add one, such as postgres://postgres@127.0.0.1:5432/bench_history."
        )
    if name in ("postgres", "template0", "template1"):
        raise SystemExit(
            f"--database-url names the system database {name!r}, which the "
            "benchmark would drop. Name a database of its own, such as bench_history."
        )
    return urlunsplit(parts._replace(path="/postgres")), name


@contextmanager
def postgres_database(database_url: str) -> Iterator[None]:
    """Create the database named in ``database_url``, and drop it on exit.

    An existing database of that name is dropped first, so a run that was
    stopped half-way leaves nothing behind the next one.
    """
    import psycopg
    from psycopg import sql

    admin_url, name = _admin_url(database_url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        # WITH (FORCE) needs PostgreSQL 13 or later.
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


def _load(model, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    """Insert ``rows`` into ``model``'s table: COPY on PostgreSQL, otherwise
    ``bulk_create`` in batches. Returns the number of rows."""
    from django.db import connection, transaction

    count = 0
    if connection.vendor == "postgresql":
        statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count

    batch = []
    with transaction.atomic():
        for row in rows:
            batch.append(model(**dict(zip(columns, row))))
            if len(batch) == BATCH_SIZE:
                model.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        model.objects.bulk_create(batch)
    return count + len(batch)


# Seeding


def make_page(check_count: int):
    """Create a page with ``check_count`` components, one HTTP check each,
    and publish its Wagtail page as the site root."""
    from statuscms.setup import ensure_status_page
    from statuscore import services
    from statuscore.models import Check, CheckState

    organization = services.create_organization("bench", "bench-history")
    page = services.create_page(organization, "bench history", "bench-history")
    groups = [services.create_component_group(page, f"group {i}") for i in range(10)]
    components = [
        services.create_component(page, f"component {i}", group=groups[i % len(groups)])
        for i in range(check_count)
    ]
    config = services.checks.validate_check_config(
        "http", {"url": "http://127.0.0.1:9/"}
    )
    checks = [
        Check(
            page=page,
            component=component,
            name=f"check {index}",
            checker="http",
            config=config,
            interval_seconds=INTERVAL_SECONDS,
            state=CheckState.UP,
            announced_state=CheckState.UP,
        )
        for index, component in enumerate(components)
    ]
    Check.objects.bulk_create(checks, batch_size=1000)
    ensure_status_page(page)
    return page, components, [check.pk for check in checks]


def _raw_rows(check_ids: list[int], start: datetime, end: datetime) -> Iterator[tuple]:
    for offset, check_id in enumerate(check_ids):
        # Checks start at different seconds of the minute, as scheduled ones do.
        checked_at = start + timedelta(seconds=offset % INTERVAL_SECONDS)
        index = 0
        while checked_at < end:
            down = index % DOWN_EVERY == offset % DOWN_EVERY
            status = "down" if down else "up"
            response_ms = 10_000.0 if down else 20.0 + index % 30
            yield (check_id, checked_at, status, response_ms, "", "{}", "")
            checked_at += timedelta(seconds=INTERVAL_SECONDS)
            index += 1


def _rollup_rows(
    check_ids: list[int], starts: list[datetime], length: timedelta, now: datetime
) -> Iterator[tuple]:
    seconds = length.total_seconds()
    checks_count = int(seconds // INTERVAL_SECONDS)
    failures = max(1, checks_count // DOWN_EVERY)
    for check_id in check_ids:
        for start in starts:
            yield (
                check_id,
                start,
                start + length,
                checks_count,
                failures,
                0,
                seconds,
                float(failures * INTERVAL_SECONDS),
                0.0,
                0.0,
                checks_count - failures,
                34.5,
                34.0,
                47.0,
                49.0,
                now,
            )


def seed_raw(check_ids: list[int], now: datetime, raw_days: float) -> int:
    from statuscore.models import CheckResult

    rows = _raw_rows(check_ids, now - timedelta(days=raw_days), now)
    return _load(CheckResult, RESULT_COLUMNS, rows)


def seed_rollups(check_ids: list[int], now: datetime, first_day: int, last_day: int) -> int:
    """Add day and hour roll-ups for the closed UTC days from ``last_day``
    to ``first_day`` days before today, oldest first. The page's time zone
    is UTC, so these days are its local days."""
    from statuscore.models import CheckRollupDay, CheckRollupHour

    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = [midnight - timedelta(days=n) for n in range(last_day, first_day - 1, -1)]
    hours = [day + timedelta(hours=h) for day in days for h in range(24)]
    count = _load(
        CheckRollupDay,
        ROLLUP_COLUMNS,
        _rollup_rows(check_ids, days, timedelta(days=1), now),
    )
    return count + _load(
        CheckRollupHour,
        ROLLUP_COLUMNS,
        _rollup_rows(check_ids, hours, timedelta(hours=1), now),
    )


# Measurement


def measure(call: Callable[[], object], repeat: int) -> tuple[float, float, int]:
    """Return the p50 and p95 in milliseconds of ``repeat`` calls, after one
    warm-up call whose queries are counted."""
    from django.db import connection

    # An execute wrapper, because Django empties connection.queries when a
    # request starts.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()

    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.95), len(queries)


def _get(client, url: str) -> Callable[[], object]:
    def call():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} returned {response.status_code}, expected 200.")
        return response

    return call


def measure_reads(page, component, repeat: int) -> dict[str, tuple[float, float, int]]:
    from django.test import Client

    from statuscore.history import uptime_history

    client = Client()
    return {
        "GET /": measure(_get(client, "/"), repeat),
        "GET summary.json": measure(
            _get(client, f"/api/v2/summary.json?page={page.slug}"), repeat
        ),
        f"uptime_history {HISTORY_DAYS} d": measure(
            lambda: uptime_history(component, days=HISTORY_DAYS), repeat
        ),
    }


def table_sizes(check_count: int, raw_days: float, history_days: int) -> list[str]:
    """Return lines with the PostgreSQL size of each table per check-day."""
    from django.db import connection

    from statuscore.models import CheckResult, CheckRollupDay, CheckRollupHour

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    lines = []
    for model, days in (
        (CheckResult, raw_days),
        (CheckRollupHour, history_days),
        (CheckRollupDay, history_days),
    ):
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            size = cursor.fetchone()[0]
        per_check_day = size / (check_count * days)
        lines.append(
            f"size {table}: {size / 2**20:,.1f} MiB with indexes, "
            f"{per_check_day / 1024:,.1f} KiB per check-day over {days:g} days"
        )
    return lines


def report(arguments: argparse.Namespace) -> None:
    from django.db import connection
    from django.utils import timezone

    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    sizes = sorted(set(arguments.days))
    now = timezone.now().astimezone(dt_timezone.utc)
    print(
        f"database: {database}; {arguments.checks} checks at {INTERVAL_SECONDS} s, "
        f"raw results for {arguments.raw_days:g} days, roll-ups for {sizes} days, "
        f"{arguments.requests} calls per measurement"
    )

    started = time.perf_counter()
    page, components, check_ids = make_page(arguments.checks)
    print(f"seeded page: {len(check_ids)} checks in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    raw_count = seed_raw(check_ids, now, arguments.raw_days)
    print(f"seeded raw results: {raw_count:,} rows in {time.perf_counter() - started:.1f} s")

    results = {}
    seeded_days = 0
    for days in sizes:
        started = time.perf_counter()
        rollup_count = seed_rollups(check_ids, now, seeded_days + 1, days - 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seeded_days = days - 1
        print(
            f"D={days}: added {rollup_count:,} hour and day roll-up rows "
            f"in {time.perf_counter() - started:.1f} s"
        )
        results[days] = measure_reads(page, components[0], arguments.requests)
        for name, (p50, p95, queries) in results[days].items():
            print(f"D={days}: {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")

    if connection.vendor == "postgresql":
        for line in table_sizes(arguments.checks, arguments.raw_days, seeded_days):
            print(line)

    largest = results[sizes[-1]]
    query_counts = {days: [q for _, _, q in results[days].values()] for days in sizes}
    constant = len({tuple(counts) for counts in query_counts.values()}) == 1
    worst_p95 = max(p95 for _, p95, _ in largest.values())
    print(
        f"SUMMARY db={database} checks={arguments.checks} days={sizes} "
        f"p95_ms=" + "/".join(f"{p95:.0f}" for _, p95, _ in largest.values())
        + f" (/, summary.json, uptime_history) queries="
        + "/".join(str(q) for q in query_counts[sizes[-1]])
        + f" queries_constant={'yes' if constant else 'NO'}"
        + f" within_{BUDGET_MS:.0f}ms={'yes' if worst_p95 < BUDGET_MS else 'NO'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.history")
    parser.add_argument("--checks", type=int, default=300, help="number of checks")
    parser.add_argument(
        "--days",
        type=int,
        nargs="+",
        default=[7, 90],
        help="days of roll-up history; each size is measured in turn (default: 7 90)",
    )
    parser.add_argument(
        "--raw-days",
        type=float,
        default=2.0,
        help="days of raw results at full density, the retention window (default: 2)",
    )
    parser.add_argument(
        "--requests", type=int, default=50, help="timed calls per measurement"
    )
    parser.add_argument(
        "--database-url",
        help="PostgreSQL database to create, use and drop (an existing one of that "
        "name is dropped first), such as "
        "postgres://postgres@127.0.0.1:5432/bench_history; by default a new SQLite file",
    )
    arguments = parser.parse_args()
    if min(arguments.days) < 2 or arguments.checks < 1 or arguments.requests < 1:
        parser.error("--days must be at least 2, --checks and --requests at least 1.")

    from bench.__main__ import setup_django

    with tempfile.TemporaryDirectory(prefix="statuspage-bench-") as var_dir:
        if arguments.database_url:
            with postgres_database(arguments.database_url):
                setup_django(var_dir, arguments.database_url)
                report(arguments)
        else:
            setup_django(var_dir)
            report(arguments)


if __name__ == "__main__":
    main()
