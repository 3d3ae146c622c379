"""The whole product, as separate processes, against a real target server.

``manage.py serve`` runs uvicorn, the huey consumer and the monitor. The test
stops and starts an HTTP server on 127.0.0.1 and watches the component's
status on the v2 JSON and, through Chromium, on the public page.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.stack import free_port, get_json, wait_for

pytestmark = pytest.mark.browser

INTERVAL = 2
# Scheduling tick, one request to the failed target and the write.
SLACK_SECONDS = 1.5

SETUP_SCRIPT = """
import json, sys
from statuscore import services
from statuscms.setup import ensure_status_page
target_url = sys.stdin.readline().strip()
interval = int(sys.stdin.readline())
org = services.create_organization("E2E", "e2e")
page = services.create_page(org, "E2E Status", "e2e")
group = services.create_component_group(page, "Services")
component = services.create_component(page, "Target API", group=group)
check = services.create_check(
    page, "Target API", "http", {"url": target_url}, component=component,
    interval_seconds=interval, timeout_seconds=1, failure_threshold=2,
)
ensure_status_page(page, make_site_root=True)
print(json.dumps({"component": component.pk, "check": check.pk}))
"""

RESULT_COUNT_SCRIPT = """
import sys
from statuscore.models import CheckResult
print(CheckResult.objects.filter(uptime_check_id=int(sys.stdin.readline())).count())
"""


def result_count(stack, check_id: int) -> int:
    output = stack.manage("shell", "-c", RESULT_COUNT_SCRIPT, stdin=f"{check_id}\n")
    return int(output.strip().splitlines()[-1])


def component_status(stack, component_id: int) -> str:
    summary = get_json(f"{stack.base_url}/api/v2/summary.json")
    by_id = {item["id"]: item for item in summary["components"]}
    return by_id[str(component_id)]["status"]


def page_row_status(browser_page, stack, component_id: int) -> tuple[str, str]:
    browser_page.goto(f"{stack.base_url}/")
    row = browser_page.locator(f'[data-component-id="{component_id}"]')
    banner = browser_page.locator("[data-indicator]")
    return row.get_attribute("data-status"), banner.get_attribute("data-indicator")


def test_component_follows_target(stack, target, browser_page):
    created = json.loads(
        stack.manage("shell", "-c", SETUP_SCRIPT, stdin=f"{target.url}\n{INTERVAL}\n")
        .strip()
        .splitlines()[-1]
    )
    component_id, check_id = created["component"], created["check"]

    # Up: the first results arrive and the component stays operational.
    wait_for(
        lambda: result_count(stack, check_id) >= 2, timeout=30, message="two check results"
    )
    assert component_status(stack, component_id) == "operational"
    assert page_row_status(browser_page, stack, component_id) == ("operational", "none")

    # Down: the component turns within two check intervals of the stop.
    target.stop()
    stopped_at = time.monotonic()
    wait_for(
        lambda: component_status(stack, component_id) == "major_outage",
        timeout=30,
        interval=0.05,
        message="the component to show major_outage",
    )
    took = time.monotonic() - stopped_at
    assert took <= 2 * INTERVAL + SLACK_SECONDS
    summary = get_json(f"{stack.base_url}/api/v2/summary.json")
    assert summary["status"]["indicator"] == "critical"
    assert page_row_status(browser_page, stack, component_id) == ("major_outage", "critical")

    # Back: one success restores operational.
    target.start()
    restarted_at = time.monotonic()
    wait_for(
        lambda: component_status(stack, component_id) == "operational",
        timeout=30,
        interval=0.05,
        message="the component to show operational again",
    )
    assert time.monotonic() - restarted_at <= INTERVAL + SLACK_SECONDS
    assert page_row_status(browser_page, stack, component_id) == ("operational", "none")


def test_demo_shows_live_results(stack, browser_page):
    """The demo watches the site's own /healthz and a dead URL from STATUS_DEMO_URLS."""
    dead_url = f"http://127.0.0.1:{free_port()}/"
    stack.env["STATUS_DEMO_URLS"] = dead_url
    stack.manage("load_demo", "--port", str(stack.port))

    summary = get_json(f"{stack.base_url}/api/v2/summary.json?page=demo")
    by_name = {item["name"]: item for item in summary["components"]}
    assert "Status site" in by_name
    dead_name = dead_url.removeprefix("http://").rstrip("/")
    assert dead_name in by_name

    def dead_component_down() -> bool:
        current = get_json(f"{stack.base_url}/api/v2/summary.json?page=demo")
        statuses = {item["name"]: item["status"] for item in current["components"]}
        return statuses[dead_name] == "major_outage"

    # Demo checks run every 10 s; two failures confirm the outage.
    wait_for(dead_component_down, timeout=40, interval=0.5, message="the dead URL to be down")
    final = get_json(f"{stack.base_url}/api/v2/summary.json?page=demo")
    statuses = {item["name"]: item["status"] for item in final["components"]}
    assert statuses["Status site"] == "operational"

    browser_page.goto(f"{stack.base_url}/")
    assert browser_page.locator("h1").first.inner_text().strip() != ""
    assert "Demo Status" in browser_page.title()


def test_serve_stops_every_process(stack):
    children = wait_for(lambda: stack.child_pids(), timeout=10, message="child processes")
    assert len(children) == 3

    exit_code = stack.stop()

    assert exit_code == 0
    for pid in children:
        with pytest.raises(ProcessLookupError):
            import os

            os.kill(pid, 0)
