"""Fixtures for end-to-end tests: the running stack and a real browser."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.stack import Stack, TargetServer

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def target():
    server = TargetServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def orm_beside_playwright():
    """Allow ORM calls in a module whose tests drive Playwright.

    Playwright's sync API runs an event loop in the test's thread, and
    Django rejects ORM calls from a thread with a running loop. The tests'
    own reads and writes are plain synchronous code, so they may go ahead.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def stack(tmp_path):
    running = Stack(tmp_path)
    running.start()
    yield running
    running.stop()


# Module scope: Playwright's sync API keeps an event loop running while it
# is open, and later tests that call asyncio.run() would fail inside it.
@pytest.fixture(scope="module")
def browser():
    if shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: install Debian's chromium (make test does).")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield launched
        launched.close()


@pytest.fixture
def browser_page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
