"""A sender killed in the middle of delivery, then restarted, sends every
message to a real SMTP server, repeating at most the one message that was
accepted but not yet marked sent."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys

import pytest

from tests.e2e.stack import ROOT, Stack, wait_for
from tests.smtp import SmtpSink

SUBSCRIBERS = 400
WORKER = str(ROOT / "tests" / "e2e" / "notification_worker.py")


@pytest.fixture
def sink():
    with SmtpSink() as running:
        yield running


@pytest.fixture
def environment(tmp_path, sink):
    env = Stack(tmp_path).env
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "site")]),
        EMAIL_HOST=sink.host,
        EMAIL_PORT=str(sink.port),
        EMAIL_USE_TLS="0",
        DEFAULT_FROM_EMAIL="status@kill.test",
        STATUSCORE_DELIVERY_CLAIM_SECONDS="2",
        STATUSCORE_DELIVERY_BATCH_SIZE="50",
        STATUSCORE_FAN_OUT_BATCH_SIZE="50",
    )
    return env


def run(env, *args, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def test_killed_sender_repeats_at_most_one(environment, sink):
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    seeded = subprocess.run(
        [sys.executable, WORKER, "seed", str(SUBSCRIBERS)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert seeded.returncode == 0, seeded.stderr

    first = run(environment, WORKER, "send")
    wait_for(
        lambda: len(sink.received) >= SUBSCRIBERS // 3,
        timeout=120,
        message="the first third of the messages",
    )
    first.send_signal(signal.SIGKILL)
    first.wait()
    at_kill = len(sink.received)

    second = run(environment, WORKER, "send")
    try:
        wait_for(
            lambda: len({r.rcpt_tos[0] for r in sink.received}) >= SUBSCRIBERS,
            timeout=180,
            message="a message to every subscriber",
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    per_recipient = collections.Counter(r.rcpt_tos[0] for r in sink.received)
    message_ids = collections.defaultdict(set)
    for received in sink.received:
        message_ids[received.rcpt_tos[0]].add(received.message["Message-ID"])
    repeats = sum(count - 1 for count in per_recipient.values())

    assert at_kill < SUBSCRIBERS
    assert len(per_recipient) == SUBSCRIBERS
    assert min(per_recipient.values()) >= 1
    # A kill after the server accepted a message and before its row was
    # marked sent makes one repeat. The sender records each outcome before
    # it sends the next message of a batch, so one kill of one sender
    # repeats at most one message.
    assert repeats <= 1
    assert all(len(ids) == 1 for ids in message_ids.values())
    assert all(None not in ids for ids in message_ids.values())
