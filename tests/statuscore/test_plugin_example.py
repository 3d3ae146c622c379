"""The example plugin in docs/examples works as docs/plugins.md describes."""

import asyncio
import importlib.util
from pathlib import Path

import httpx
import pytest

from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import validate_check_config
from statuscore.testing import temporary_plugin
from tests.plugins.servers import closed_port, http_server

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "keyword_checker.py"


@pytest.fixture(scope="module")
def example_plugin():
    spec = importlib.util.spec_from_file_location("keyword_checker", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with temporary_plugin(module, name="example-keyword"):
        yield module


def run(config: dict):
    async def run_once():
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "example-keyword", config, 2.0, client)

    return asyncio.run(run_once())


def test_keyword_present_is_up(example_plugin):
    with http_server() as url:
        outcome = run({"url": f"{url}/ok", "keyword": "ok"})

    assert outcome.status == "up"


def test_keyword_missing_is_down(example_plugin):
    with http_server() as url:
        outcome = run({"url": f"{url}/ok", "keyword": "welcome"})

    assert outcome.status == "down"
    assert outcome.reason == "keyword 'welcome' not found"


def test_closed_port_is_refused(example_plugin):
    with closed_port() as port:
        outcome = run({"url": f"http://127.0.0.1:{port}/", "keyword": "ok"})

    assert outcome.reason == "connection refused"


def test_empty_keyword_rejected(example_plugin):
    with pytest.raises(ValidationFailed) as raised:
        validate_check_config("example-keyword", {"url": "http://127.0.0.1/", "keyword": ""})

    assert list(raised.value.errors) == ["config.keyword"]
