"""The helpers statuscore ships for tests: FakeChecker and temporary_plugin."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from statuscore.checkers import Outcome
from statuscore.exceptions import UnknownChecker
from statuscore.monitor.runner import run_checker
from statuscore.plugins import get_checker, get_plugin_manager
from statuscore.testing import FakeChecker, fake_plugin, temporary_plugin


def run_fake(config: dict, timeout: float = 2.0) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "fake", config, timeout, client)

    return asyncio.run(run())


def test_temporary_plugin_registers():
    with temporary_plugin(fake_plugin):
        assert get_checker("fake") is FakeChecker

    with pytest.raises(UnknownChecker):
        get_checker("fake")


def test_temporary_plugin_default_name():
    with temporary_plugin(fake_plugin):
        assert get_plugin_manager().has_plugin("statuscore.testing.fake_plugin")


def test_temporary_plugin_unregisters_on_error():
    with pytest.raises(RuntimeError):
        with temporary_plugin(fake_plugin, "fake-plugin"):
            raise RuntimeError("test body failed")

    assert not get_plugin_manager().has_plugin("fake-plugin")
    with pytest.raises(UnknownChecker):
        get_checker("fake")


@pytest.mark.parametrize("status", ["up", "degraded", "down"])
def test_fake_checker_returns_status(status):
    with temporary_plugin(fake_plugin):
        outcome = run_fake({"status": status, "reason": "scripted"})

    assert outcome.status == status
    assert outcome.reason == "scripted"


def test_fake_checker_check_failed():
    with temporary_plugin(fake_plugin):
        outcome = run_fake({"raise_check_failed": True, "reason": "boom"})

    assert outcome.status == "down"
    assert outcome.reason == "boom"


def test_fake_checker_delay_hits_deadline():
    with temporary_plugin(fake_plugin):
        started = time.perf_counter()
        outcome = run_fake({"delay_seconds": 5}, timeout=0.2)
        duration = time.perf_counter() - started

    assert outcome.status == "down"
    assert outcome.reason == "timed out after 0.2 s"
    assert duration < 2
