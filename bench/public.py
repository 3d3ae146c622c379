"""Measure public reads over HTTP: the embedded server against nginx.

Usage: ``python -m bench.public [--seconds S] [--repeat N] [--servers ...]``.
One page with 50 components, 90 days of check history and some incidents
is seeded on a fresh SQLite database, and its snapshot files are written.
Then ``wrk`` loads ``/``, ``/api/v2/summary.json`` and the RSS feed with 64
connections, each request sending ``Accept-Encoding: gzip`` as browsers
do, against, in one run:

1. the embedded server: the project's ASGI application under each server
   of ``--servers`` (daphne, uvicorn, granian), serving the snapshot from
   memory;
2. nginx with ``deploy/nginx.conf``, serving the snapshot files;
3. nginx serving a plain copy of the same files, the upper bound of the
   machine.

Each embedded server runs alone, so that an idle server's snapshot
refresher takes no CPU from the one being measured. The two nginx run
together, and each round loads a path on both back to back, so their
ratio suffers less from noise on the shared machine. Each figure is the
median over ``--repeat`` rounds. The last line, starting ``SUMMARY``,
checks the targets: (2) at least 90% of (3), and (1) at least 5,000
requests/s with p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import timedelta
from email.message import Message
from pathlib import Path

from bench.nginx import plain_config, render_deploy_config, start_nginx
from bench.servers import ASGI_SERVERS, ChildServer, asgi_server, free_port
from bench.wrk import WrkResult, run_wrk

HOST = "status.bench.test"
COMPONENTS = 50
HISTORY_DAYS = 90
RAW_DAYS = 1.0
INCIDENTS = 12

PATHS = {"/": "page", "/api/v2/summary.json": "summary.json", "/feed.rss": "RSS feed"}

SNAPSHOT_TIMEOUT = 120.0
TARGET_RATE = 5_000.0
TARGET_P99_MS = 50.0
TARGET_RATIO = 0.90

ROOT = Path(__file__).resolve().parents[1]

# Every request, to every target, asks for gzip, as browsers do.
REQUEST_HEADERS = {"Host": HOST, "Accept-Encoding": "gzip"}
NGINX_ETAG = re.compile(r'"[0-9a-f]+-[0-9a-f]+"')


@dataclass
class Measurement:
    target: str
    path: str
    runs: list[WrkResult]

    def median(self, field: str) -> float:
        return statistics.median(getattr(run, field) for run in self.runs)


# Seeding


def seed_page():
    """Create the page, its history and incidents; return the core page."""
    from django.utils import timezone

    from bench.history import make_page, seed_raw, seed_rollups
    from statuscore import services

    page, components, check_ids = make_page(COMPONENTS)
    services.update_page(page, domain=HOST)
    now = timezone.now()
    seed_raw(check_ids, now, RAW_DAYS)
    seed_rollups(check_ids, now, 1, HISTORY_DAYS - 1)

    for number in range(INCIDENTS):
        started = now - timedelta(days=HISTORY_DAYS * number / INCIDENTS + 1)
        services.create_incident(
            page,
            f"Elevated errors on component {number}",
            body=f"Requests to component {number} fail for some visitors.",
            component_statuses={components[number]: "partial_outage"},
            started_at=started,
            resolved_at=started + timedelta(hours=2),
            notify_subscribers=False,
        )
    services.create_incident(
        page,
        "Slow responses",
        body="We are looking into slow responses.",
        component_statuses={components[-1]: "degraded_performance"},
        notify_subscribers=False,
    )
    page.refresh_from_db()
    return page


def write_snapshot_files(snapshot_root: Path) -> None:
    """Write the snapshot files of every page under ``snapshot_root``, as a
    web process does when ``STATUS_SNAPSHOT_ROOT`` is set."""
    from statuscms.snapshots.files import SnapshotFiles
    from statuscms.snapshots.refresher import Refresher
    from statuscms.snapshots.store import SnapshotStore

    Refresher(SnapshotStore(), files=SnapshotFiles(snapshot_root)).rebuild_all()


def snapshot_file(snapshot_root: Path, path: str) -> Path:
    """Return the snapshot file of ``path`` on ``HOST``; exit when the
    snapshot has none."""
    from statuscms.snapshots.files import file_path

    file = snapshot_root / file_path(HOST, path)
    if not file.is_file():
        raise SystemExit(f"The snapshot has no file for {path}: {file} is missing.")
    return file


def copy_plain_files(snapshot_root: Path, plain_root: Path, paths: list[str]) -> None:
    """Copy the files of ``HOST``, with their ``.gz`` copies, to
    ``plain_root`` at their URL paths."""
    for path in paths:
        target = plain_root / (path.lstrip("/") or "index.html")
        target.parent.mkdir(parents=True, exist_ok=True)
        source = snapshot_file(snapshot_root, path)
        shutil.copyfile(source, target)
        compressed = source.with_name(source.name + ".gz")
        if compressed.is_file():
            shutil.copyfile(compressed, target.with_name(target.name + ".gz"))


# Servers


def server_environment(snapshot_root: Path) -> dict[str, str]:
    """Return the environment of the embedded servers: the benchmark's
    settings, without ``STATUS_SNAPSHOT_ROOT``, because this process
    writes the files and the servers need only their snapshots in memory."""
    env = dict(os.environ)
    env.pop("STATUS_SNAPSHOT_ROOT", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "site")])
    env["BENCH_SNAPSHOT_ROOT"] = str(snapshot_root)
    return env


def fetch(url: str) -> tuple[int, Message, bytes]:
    """GET ``url`` on ``HOST`` with ``REQUEST_HEADERS``; return the status,
    headers and body as sent, compressed or not."""
    request = urllib.request.Request(url, headers=REQUEST_HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def check_target(name: str, server: ChildServer, path: str, expected: bytes) -> str:
    """Return a note on the response of ``server`` to ``path``, empty when
    it has the snapshot's bytes. Exit when the status is not 200, or when
    the response did not come from the snapshot (embedded) or the file
    itself (nginx)."""
    from django.conf import settings

    status, headers, body = fetch(server.base_url + path)
    # The embedded server responds through Django until its refresher has
    # built the snapshot; only snapshot responses carry its Cache-Control.
    deadline = time.monotonic() + SNAPSHOT_TIMEOUT
    while (
        "embedded" in name
        and headers.get("Cache-Control") != settings.STATUS_SNAPSHOT_CACHE_CONTROL
    ):
        if time.monotonic() > deadline:
            raise SystemExit(
                f"{name}: GET {path} got no response from a snapshot within "
                f"{SNAPSHOT_TIMEOUT:g} s: {status} {dict(headers)}"
            )
        time.sleep(0.5)
        status, headers, body = fetch(server.base_url + path)
    if status != 200:
        raise SystemExit(f"{name}: GET {path} returned {status}, expected 200.")
    # nginx's own ETag for a file is "<mtime>-<size>" in hexadecimal.
    if name.startswith("nginx") and not NGINX_ETAG.fullmatch(headers.get("ETag", "")):
        raise SystemExit(
            f"{name}: GET {path} was not served from a file: {dict(headers)}"
        )
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    elif len(expected) >= 1024:
        return "the body was sent without gzip"
    if body != expected:
        return "the body differs from the snapshot file"
    return ""


# Measurement


def measure(
    targets: dict[str, ChildServer],
    arguments: argparse.Namespace,
    snapshot_root: Path,
) -> dict[tuple[str, str], Measurement]:
    """Start ``targets`` together, check them, load each path on each in
    turn for ``--repeat`` rounds, and stop them."""
    results = {
        (name, path): Measurement(name, path, [])
        for name in targets
        for path in arguments.paths
    }
    with ExitStack() as stack:
        for server in targets.values():
            stack.enter_context(server)
        for name, server in targets.items():
            for path in arguments.paths:
                expected = snapshot_file(snapshot_root, path).read_bytes()
                note = check_target(name, server, path, expected)
                if note:
                    print(f"{name}: GET {path}: {note}", flush=True)
                # One second of warm-up, not counted.
                run_wrk(server.base_url + path, seconds=1, headers=REQUEST_HEADERS)

        # Within a round each path is loaded on every target in turn, so the
        # two nginx figures of one path are measured back to back.
        for round_number in range(arguments.repeat):
            for path in arguments.paths:
                for name, server in targets.items():
                    result = run_wrk(
                        server.base_url + path,
                        seconds=arguments.seconds,
                        connections=arguments.connections,
                        headers=REQUEST_HEADERS,
                    )
                    results[(name, path)].runs.append(result)
                    print(
                        f"round {round_number + 1}: {name} {path}: "
                        f"{result.requests_per_second:,.0f} requests/s, "
                        f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
                        f"{result.errors} errors",
                        flush=True,
                    )
    return results


def machine_note() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    nginx = subprocess.run(
        ["nginx", "-v"], capture_output=True, text=True, check=False
    ).stderr.strip()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"{nginx.removeprefix('nginx version: ')}"
    )


def report(
    results: dict[tuple[str, str], Measurement],
    embedded: list[str],
    arguments: argparse.Namespace,
) -> dict:
    print()
    print(f"machine: {machine_note()}")
    print(
        f"wrk: {arguments.connections} connections, {arguments.seconds:g} s per run, "
        f"median of {arguments.repeat} runs"
    )
    print()
    print("| server | path | requests/s | p50 | p99 | errors |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for (name, path), measurement in results.items():
        errors = sum(run.errors for run in measurement.runs)
        print(
            f"| {name} | `{path}` | {measurement.median('requests_per_second'):,.0f} "
            f"| {measurement.median('p50_ms'):.2f} ms "
            f"| {measurement.median('p99_ms'):.2f} ms | {errors} |"
        )

    ratios = {
        path: results[("nginx, snapshot files", path)].median("requests_per_second")
        / results[("nginx, plain files", path)].median("requests_per_second")
        for path in arguments.paths
    }
    print()
    for path, ratio in ratios.items():
        print(f"nginx snapshot files / plain files, {path}: {ratio:.1%}")

    verdicts = []
    ratio_met = all(ratio >= TARGET_RATIO for ratio in ratios.values())
    verdicts.append(f"nginx_ratio>={TARGET_RATIO:.0%}={'yes' if ratio_met else 'NO'}")
    for name in embedded:
        met = all(
            results[(name, path)].median("requests_per_second") >= TARGET_RATE
            and results[(name, path)].median("p99_ms") < TARGET_P99_MS
            for path in arguments.paths
        )
        verdicts.append(f"{name.split()[0]}>=5000rps,p99<50ms={'yes' if met else 'NO'}")
    print("SUMMARY " + " ".join(verdicts))

    return {
        "machine": machine_note(),
        "connections": arguments.connections,
        "seconds": arguments.seconds,
        "repeat": arguments.repeat,
        "results": [
            {
                "server": name,
                "path": path,
                "requests_per_second": measurement.median("requests_per_second"),
                "p50_ms": measurement.median("p50_ms"),
                "p99_ms": measurement.median("p99_ms"),
                "runs": [asdict(run) for run in measurement.runs],
            }
            for (name, path), measurement in results.items()
        ],
        "nginx_ratio": ratios,
    }


def run(arguments: argparse.Namespace, var_dir: Path) -> dict:
    snapshot_root = var_dir / "snapshots"
    plain_root = var_dir / "plain"
    started = time.perf_counter()
    seed_page()
    print(f"seeded the page in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    write_snapshot_files(snapshot_root)
    copy_plain_files(snapshot_root, plain_root, arguments.paths)
    print(f"wrote snapshot files in {time.perf_counter() - started:.1f} s", flush=True)
    for path in arguments.paths:
        plain = snapshot_file(snapshot_root, path)
        compressed = plain.with_name(plain.name + ".gz")
        gzip_size = compressed.stat().st_size if compressed.is_file() else None
        print(
            f"{path}: {plain.stat().st_size:,} bytes, gzip "
            f"{'none' if gzip_size is None else f'{gzip_size:,} bytes'}",
            flush=True,
        )
    # nginx's workers may run as another user than this process.
    for folder in (var_dir, snapshot_root, plain_root):
        folder.chmod(0o755)

    # Each embedded server runs alone, so that no idle server's refresher
    # takes CPU from the one being measured; then the two nginx run together.
    env = server_environment(snapshot_root)
    results: dict[tuple[str, str], Measurement] = {}
    for name in arguments.servers:
        server = asgi_server(
            name, arguments.app, env=env, log_path=var_dir / f"{name}.log"
        )
        results |= measure({f"{name} (embedded)": server}, arguments, snapshot_root)

    # Every measured request is a snapshot file (check_target makes sure),
    # so the app upstream is a closed port and any miss would get a 502.
    nginx_targets = {
        "nginx, snapshot files": start_nginx(
            var_dir / "nginx-snapshot",
            render_deploy_config(
                port=free_port(), app_port=free_port(), snapshot_root=snapshot_root
            ),
            workers=arguments.nginx_workers,
        ),
        "nginx, plain files": start_nginx(
            var_dir / "nginx-plain",
            plain_config(port=free_port(), root=plain_root),
            workers=arguments.nginx_workers,
        ),
    }
    results |= measure(nginx_targets, arguments, snapshot_root)
    embedded = [f"{name} (embedded)" for name in arguments.servers]
    return report(results, embedded, arguments)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.public")
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="seconds per wrk run (default: 5)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds over all targets (default: 3)"
    )
    parser.add_argument(
        "--connections", type=int, default=64, help="open connections (default: 64)"
    )
    parser.add_argument(
        "--servers",
        nargs="+",
        choices=sorted(ASGI_SERVERS),
        default=["daphne", "uvicorn", "granian"],
        help="ASGI servers to run the embedded server under (default: all three)",
    )
    parser.add_argument(
        "--app",
        default="statussite.asgi:application",
        help="ASGI application the embedded servers run; "
        "bench.raw_asgi:app measures a server without Django",
    )
    parser.add_argument(
        "--nginx-workers",
        type=int,
        default=1,
        help="worker processes of each nginx (default: 1)",
    )
    parser.add_argument(
        "--paths",
        nargs="+",
        choices=list(PATHS),
        default=list(PATHS),
        help="paths to load (default: all three)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    arguments = parser.parse_args()
    if arguments.seconds <= 0 or arguments.repeat < 1 or arguments.connections < 1:
        parser.error(
            "--seconds must be positive, --repeat and --connections at least 1."
        )

    from bench.__main__ import setup_django

    with tempfile.TemporaryDirectory(prefix="statuspage-bench-") as var_dir:
        setup_django(var_dir, allowed_hosts=[HOST])
        summary = run(arguments, Path(var_dir))
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(summary, indent=2) + "\n")
        print(f"wrote {arguments.json}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
