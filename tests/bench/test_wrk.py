"""Reading wrk's report, for ``make bench-public``."""

from __future__ import annotations

import pytest

from bench.wrk import WrkError, parse_wrk_output

REPORT = """\
Running 5s test @ http://127.0.0.1:8080/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.12ms    2.01ms  40.20ms   80.00%
    Req/Sec     5.20k   300.00     5.90k    70.00%
  Latency Distribution
     50%  850.00us
     75%    7.00ms
     90%    9.00ms
     99%    1.20s
  52000 requests in 5.00s, 1.50GB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:  10400.50
Transfer/sec:    307.20MB
"""


def test_wrk_report_rate():
    assert parse_wrk_output(REPORT).requests_per_second == 10400.50


def test_wrk_report_p50_in_microseconds():
    assert parse_wrk_output(REPORT).p50_ms == pytest.approx(0.85)


def test_wrk_report_p99_in_seconds():
    assert parse_wrk_output(REPORT).p99_ms == pytest.approx(1200.0)


def test_wrk_report_counts_requests():
    assert parse_wrk_output(REPORT).requests == 52000


def test_wrk_report_adds_socket_and_status_errors():
    assert parse_wrk_output(REPORT).errors == 9


def test_wrk_report_without_errors_lines():
    report = REPORT.replace(
        "  Socket errors: connect 0, read 2, write 0, timeout 3\n", ""
    ).replace("  Non-2xx or 3xx responses: 4\n", "")

    assert parse_wrk_output(report).errors == 0


def test_wrk_report_without_latency_rejected():
    report = REPORT.replace("     99%    1.20s\n", "")

    with pytest.raises(WrkError):
        parse_wrk_output(report)
