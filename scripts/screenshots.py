"""Take the README's screenshots of the demo status page, light and dark.

Run it from the repository root with the development dependencies and
Debian's Chromium installed:

    .venv/bin/python scripts/screenshots.py [--output docs/images]

It builds a throw-away SQLite database in a temporary folder, loads the
demo page that ``make run`` shows, and adds sample history so the bars
have something to show. Each demo check is set to run every 30 minutes
and gets one result every 30 minutes for 90 days, with one degraded day
and one day with an outage. ``statuscore.rollups.rollup_results`` then
rolls the results up into days. It then serves the site on a free
port of 127.0.0.1 with ``manage.py runserver`` and saves the top of the
page as ``status-page-light.png`` and ``status-page-dark.png`` at
1280 x 1000 px, and ``status-page-mobile.png`` at 375 x 812 px.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
HISTORY_DAYS = 90
RESULT_INTERVAL = timedelta(minutes=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True
    )


def seed_history(env: dict[str, str]) -> None:
    """Store 90 days of sample results for each demo check and roll them up."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "site"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statussite.settings.base")
    import django

    django.setup()

    from django.db import transaction
    from django.utils import timezone

    from statuscore import services
    from statuscore.models import Check, CheckResult
    from statuscore.rollups import rollup_results

    now = timezone.now().astimezone(UTC)
    start = now - timedelta(days=HISTORY_DAYS - 1)
    # One result covers at most a few intervals of its check, so the
    # sample results come at the checks' own interval.
    with transaction.atomic():
        checks = [
            services.update_check(check, interval_seconds=RESULT_INTERVAL.seconds)
            for check in Check.objects.order_by("pk")
        ]
    rows = []
    for index, check in enumerate(checks):
        checked_at = start
        while checked_at < now:
            age = (now.date() - checked_at.date()).days
            status = "up"
            if index == 0 and age == 12:
                status = "degraded"
            if index == 1 and age == 37 and checked_at.hour < 3:
                status = "down"
            rows.append(
                CheckResult(
                    uptime_check=check,
                    checked_at=checked_at,
                    status=status,
                    response_time_ms=40.0 + (checked_at.hour * 7 + index * 13) % 60,
                )
            )
            checked_at += RESULT_INTERVAL
    CheckResult.objects.bulk_create(rows, batch_size=2000)
    Check.objects.update(created_at=start - timedelta(days=1))
    rollup_results(since=start - timedelta(days=1), until=now)


def wait_until_serving(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"The server at {url} did not respond within {timeout} s.")
        time.sleep(0.3)


def take(url: str, output: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    shots = [
        ("status-page-light.png", "light", 1280, 1000),
        ("status-page-dark.png", "dark", 1280, 1000),
        ("status-page-mobile.png", "light", 375, 812),
    ]
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        for name, scheme, width, height in shots:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                color_scheme=scheme,
                device_scale_factor=1,
            )
            tab = context.new_page()
            tab.goto(url, wait_until="load")
            path = output / name
            tab.screenshot(path=str(path))
            saved.append(path)
            context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "images",
        help="folder for the PNG files (default: docs/images)",
    )
    options = parser.parse_args()
    options.output.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="statuspage-screenshots-") as folder:
        port = free_port()
        # An empty settings file, so a developer's .env does not apply.
        env_file = Path(folder) / "screenshots.env"
        env_file.write_text("")
        env = {
            **os.environ,
            "DEBUG": "1",
            "SECRET_KEY": "screenshots-only",
            "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
            "STATUS_VAR_DIR": folder,
            "PORT": str(port),
            "ENV_FILE": str(env_file),
        }
        env.pop("REDIS_URL", None)
        manage("migrate", "--no-input", "-v", "0", env=env)
        manage("load_demo", "--port", str(port), env=env)
        seed_history(env)

        server = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "runserver",
                "--noreload",
                f"127.0.0.1:{port}",
            ],
            env=env,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_until_serving(url)
            for path in take(url, options.output):
                print(f"Saved {path}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
