"""Fan out one incident update to many email subscribers and send some.

Usage: ``python -m bench.notifications [--subscribers N] [--send M]``.
Creates N active email subscribers on one page, posts one incident
update, and measures:

1. fan-out: the time ``statuscore.dispatch.fan_out`` takes to write the N
   delivery rows (median of ``--repeat`` runs, the rows deleted between
   runs);
2. delivery: messages per second that one worker (this process, calling
   ``deliver_due``) sends through the ``email`` notifier to an aiosmtpd
   server in a child process, over the first M deliveries.

The last line sums it up.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def smtp_sink() -> Iterator[tuple[int, list[int]]]:
    """Start ``bench.smtp_sink``; yield its port and a list that receives the
    number of messages it accepted once it stops."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    accepted: list[int] = []
    try:
        yield int(child.stdout.readline()), accepted
    finally:
        child.stdin.close()
        accepted.append(int(child.stdout.read().strip() or 0))
        child.wait(timeout=10)


def make_subscribers(count: int):
    """Create a page with ``count`` active email subscribers; return the
    page and its one component."""
    from statuscore import services
    from statuscore.models import Subscriber, SubscriberState
    from statuscore.secrets import digest

    organization = services.create_organization("bench", "bench-notifications")
    page = services.create_page(organization, "bench", "bench-notifications")
    api = services.create_component(page, "API")
    batch = 5000
    for start in range(0, count, batch):
        addresses = [
            f"user{i}@example.test" for i in range(start, min(count, start + batch))
        ]
        Subscriber.objects.bulk_create(
            Subscriber(
                page=page,
                notifier="email",
                address=address,
                address_key=digest(address),
                config={"to": address},
                state=SubscriberState.ACTIVE,
            )
            for address in addresses
        )
    return page, api


def post_update(page, api):
    """Open an incident, post one update, and return the update's event."""
    from statuscore import services
    from statuscore.events import Event
    from statuscore.models import OutboxEvent

    incident = services.create_incident(
        page, "Errors", body="Looking.", component_statuses={api: "major_outage"}
    )
    services.post_incident_update(incident, status="identified", body="Found it.")
    return Event.from_row(OutboxEvent.objects.get(kind="incident.updated"))


def measure_fan_out(event, repeat: int) -> list[float]:
    from statuscore import dispatch
    from statuscore.models import Delivery

    timings = []
    for _ in range(repeat):
        Delivery.objects.all().delete()
        started = time.perf_counter()
        dispatch.fan_out(event)
        timings.append(time.perf_counter() - started)
    return timings


def measure_delivery(count: int, profile: bool) -> tuple[int, float]:
    """Send ``count`` deliveries from this process; return (sent, seconds)."""
    from statuscore import dispatch
    from statuscore.models import Delivery

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    claimed = 0
    while claimed < count:
        got = dispatch.deliver_due(limit=min(200, count - claimed))
        if not got:
            break
        claimed += got
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    sent = Delivery.objects.filter(state="sent").count()
    return sent, seconds


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.notifications")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--send", type=int, default=3000, help="deliveries to send")
    parser.add_argument("--repeat", type=int, default=3, help="fan-out runs")
    parser.add_argument("--profile", action="store_true", help="profile the sending")
    parser.add_argument(
        "--database-url", help="database to use; by default a new SQLite file"
    )
    arguments = parser.parse_args()

    from bench.__main__ import setup_django

    with tempfile.TemporaryDirectory(prefix="statuspage-bench-") as var_dir:
        with smtp_sink() as (port, accepted):
            os.environ.update(
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(port),
                EMAIL_USE_TLS="0",
                DEFAULT_FROM_EMAIL="status@bench.test",
            )
            setup_django(var_dir, arguments.database_url)

            started = time.perf_counter()
            page, api = make_subscribers(arguments.subscribers)
            event = post_update(page, api)
            print(
                f"seeded {arguments.subscribers} subscribers in "
                f"{time.perf_counter() - started:.1f} s"
            )

            fan_out = measure_fan_out(event, arguments.repeat)
            print("fan-out seconds:", ", ".join(f"{t:.2f}" for t in fan_out))
            sent, seconds = measure_delivery(arguments.send, arguments.profile)
        rate = sent / seconds if seconds else 0.0
        print(f"sent {sent} in {seconds:.2f} s; the sink accepted {accepted[0]}")
        print(
            f"notifications: {arguments.subscribers} subscribers, fan-out median "
            f"{statistics.median(fan_out):.2f} s (target < 10 s), delivery "
            f"{rate:.0f} messages/s per worker (target >= 300)"
        )


if __name__ == "__main__":
    main()
