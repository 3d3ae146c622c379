"""Script-injection payloads stored in every public field, opened in Chromium.

The Django test-client test parses the HTML; this one lets a real browser
parse and run the pages, so a payload that only a browser's parser turns
into markup, or a handler that only fires on load, is caught too.
"""

from __future__ import annotations

import pytest
from wagtail.models import Collection, Locale
from wagtail.models import Page as WagtailPage

from statuscms.setup import ensure_status_page
from statuscore.models import Organization, Page
from tests.statuscms.xss import PAYLOADS, build_scene, marker, texts_with

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("orm_beside_playwright"),
]

# Elements and attributes the payloads would add if any of them were
# parsed as markup. The public pages have no svg or event handler of their
# own, and their only scripts are static files.
INJECTED = (
    "script:not([src^='/static/']), svg, iframe, object, embed, img[src='x'],"
    " [onerror], [onload],"
    " a[href^='javascript:' i], a[href^='data:' i]"
)


@pytest.fixture
def wagtail_tree(transactional_db):
    """Create the locale, page root and collection root that Wagtail's
    migrations add, when an earlier transactional test emptied the tables.

    Django's serialized rollback would restore them, but it fails with a
    duplicate content type once a transactional test without it has run.
    """
    locale, _ = Locale.objects.get_or_create(language_code="en")
    if WagtailPage.get_first_root_node() is None:
        WagtailPage.add_root(
            instance=WagtailPage(title="Root", slug="root", locale=locale)
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture
def scene_pages(wagtail_tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    organization = Organization.objects.create(name="Acme", slug="acme")
    page = Page.objects.create(organization=organization, name="Acme", slug="acme")
    return ensure_status_page(page), page


@pytest.fixture
def page_without_csp(browser):
    """A browser tab that ignores Content-Security-Policy.

    The pages' policy already forbids inline script, which would hide an
    escaping fault from the dialog check. Without it, only the escaping
    and sanitising of the text keep a payload from running.
    """
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("payload_name", list(PAYLOADS))
def test_public_pages_run_no_payload(
    page_without_csp, live_server, scene_pages, payload_name
):
    browser_page = page_without_csp
    status_page, page = scene_pages
    texts = texts_with(None, PAYLOADS[payload_name])
    scene = build_scene(status_page, page, texts)
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    browser_page.on("dialog", dismiss)

    for url in scene.urls:
        response = browser_page.goto(live_server.url + url, wait_until="load")
        assert response.status == 200, url
        assert dialogs == [], url

        injected = browser_page.locator(INJECTED).count()
        body_text = browser_page.locator("body").inner_text()
        assert injected == 0, url
        assert marker("incident_title") in body_text, url
