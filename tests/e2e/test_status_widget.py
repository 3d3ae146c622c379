"""The status widget, embedded by another site and opened in Chromium."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from wagtail.models import Collection, Locale
from wagtail.models import Page as WagtailPage

from statuscms.setup import ensure_status_page
from statuscore import services
from statuscore.models import Organization, Page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("orm_beside_playwright"),
]


@pytest.fixture
def served_page(transactional_db, live_server):
    locale, _ = Locale.objects.get_or_create(language_code="en")
    if WagtailPage.get_first_root_node() is None:
        WagtailPage.add_root(
            instance=WagtailPage(title="Root", slug="root", locale=locale)
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")

    organization = Organization.objects.create(name="Acme", slug="acme")
    page = Page.objects.create(
        organization=organization,
        name="Acme",
        slug="acme",
        url=live_server.url + "/",
    )
    ensure_status_page(page)
    return page


@pytest.fixture
def embedder():
    """A site of another origin (127.0.0.1 on its own port) that embeds the
    widget. Set ``embedder.html`` to the page it serves.

    Both sites are on the loopback address, because Chromium does not let
    a page from a public address frame one on a private or local address.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = server.html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.html = ""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def open_embedder(browser_page, embedder, html: str) -> None:
    embedder.html = html
    host, port = embedder.server_address[:2]
    browser_page.goto(f"http://{host}:{port}/")


def test_widget_script_shows_status(browser_page, embedder, live_server, served_page):
    component = services.create_component(served_page, "API")
    services.set_component_status(component, "partial_outage", source="user:1")
    open_embedder(
        browser_page,
        embedder,
        f'<p>Our status:</p><script src="{live_server.url}/static/statuscms/js/'
        f'widget.js" data-page="{live_server.url}/"></script>',
    )

    frame = browser_page.frame_locator("iframe")
    status = frame.locator(".status-embed__status")
    status.wait_for(timeout=10_000)

    assert status.inner_text() == "Partial System Outage"
    assert frame.locator("a").get_attribute("href") == live_server.url + "/"


def test_plain_iframe_embeds(browser_page, embedder, live_server, served_page):
    open_embedder(
        browser_page,
        embedder,
        f'<iframe src="{live_server.url}/embed/" title="Status"></iframe>',
    )

    status = browser_page.frame_locator("iframe").locator(".status-embed__status")
    status.wait_for(timeout=10_000)

    assert status.inner_text() == "All Systems Operational"


def test_main_page_refuses_frame(browser_page, embedder, live_server, served_page):
    open_embedder(
        browser_page,
        embedder,
        f'<iframe src="{live_server.url}/" title="Status"></iframe>',
    )
    browser_page.wait_for_timeout(1000)

    frame = browser_page.frames[1]

    assert frame.url.startswith("chrome-error://")
