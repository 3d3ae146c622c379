"""Run the ``wrk`` HTTP load generator and read its report.

``wrk`` is Debian's package of the same name (4.1). It keeps a fixed number
of connections open and sends the next request on each as soon as the
previous answer arrives, so the figures are the server's throughput at that
concurrency, not at a chosen request rate.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

__all__ = ["WrkResult", "parse_wrk_output", "run_wrk"]

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}

REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.MULTILINE)
PERCENTILE = re.compile(
    r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE
)
TOTAL = re.compile(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
NON_SUCCESS = re.compile(r"Non-2xx or 3xx responses: (\d+)")


class WrkError(RuntimeError):
    """``wrk`` failed, or printed a report this module cannot read."""


@dataclass(frozen=True)
class WrkResult:
    """The figures of one ``wrk`` run. Latencies are in milliseconds."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    """Socket errors and responses outside 2xx and 3xx, together."""


def parse_wrk_output(text: str) -> WrkResult:
    """Read a report of ``wrk --latency``; raise :class:`WrkError` when a
    figure is missing."""
    rate = REQUESTS_PER_SECOND.search(text)
    percentiles = {
        int(key): float(value) * UNIT_MS[unit]
        for key, value, unit in PERCENTILE.findall(text)
    }
    total = TOTAL.search(text)
    if rate is None or total is None or set(percentiles) != {50, 99}:
        raise WrkError(f"wrk printed no rate, total or latency percentiles:\n{text}")

    errors = 0
    socket_errors = SOCKET_ERRORS.search(text)
    if socket_errors:
        errors += sum(int(count) for count in socket_errors.groups())
    non_success = NON_SUCCESS.search(text)
    if non_success:
        errors += int(non_success.group(1))

    return WrkResult(
        requests_per_second=float(rate.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=int(total.group(1)),
        errors=errors,
    )


def run_wrk(
    url: str,
    *,
    seconds: float,
    connections: int = 64,
    threads: int = 2,
    headers: dict[str, str] | None = None,
) -> WrkResult:
    """Load ``url`` for ``seconds`` with ``connections`` open connections."""
    executable = shutil.which("wrk")
    if executable is None:
        raise WrkError("wrk is not installed; run `apt-get install wrk`.")

    command = [
        executable,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds:g}s",
        "--timeout=5s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    command.append(url)

    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if completed.returncode != 0:
        raise WrkError(
            f"wrk exited with code {completed.returncode}: {completed.stderr.strip()}"
        )
    return parse_wrk_output(completed.stdout)
