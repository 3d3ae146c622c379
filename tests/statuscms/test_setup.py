from __future__ import annotations

from wagtail.models import Page as WagtailPage
from wagtail.models import Site

from statuscms.models import StatusPage
from statuscms.setup import ensure_status_page


def default_site() -> Site:
    return Site.objects.get(is_default_site=True)


def test_ensure_creates_live_page(page):
    status_page = ensure_status_page(page)

    assert status_page.core_page == page
    assert status_page.title == "Acme Status"
    assert status_page.live
    assert status_page.get_parent().depth == 1


def test_ensure_makes_site_root(page):
    welcome = default_site().root_page

    status_page = ensure_status_page(page)

    assert default_site().root_page_id == status_page.pk
    assert WagtailPage.objects.filter(pk=welcome.pk).exists()


def test_ensure_is_idempotent(page):
    first = ensure_status_page(page)
    pages_before = WagtailPage.objects.count()
    sites_before = Site.objects.count()

    second = ensure_status_page(page)

    assert second.pk == first.pk
    assert StatusPage.objects.count() == 1
    assert WagtailPage.objects.count() == pages_before
    assert Site.objects.count() == sites_before
    assert default_site().root_page_id == first.pk


def test_ensure_without_site_root(page):
    welcome_id = default_site().root_page_id

    ensure_status_page(page, make_site_root=False)

    assert default_site().root_page_id == welcome_id


def test_ensure_later_makes_site_root(page):
    status_page = ensure_status_page(page, make_site_root=False)

    ensure_status_page(page)

    assert default_site().root_page_id == status_page.pk


def test_ensure_creates_default_site(page):
    Site.objects.all().delete()

    status_page = ensure_status_page(page)

    site = default_site()
    assert site.root_page_id == status_page.pk
    assert site.hostname == "localhost"


def test_ensure_avoids_taken_slug(page):
    root = WagtailPage.get_first_root_node()
    root.add_child(instance=WagtailPage(title="Other", slug="acme"))

    status_page = ensure_status_page(page)

    assert status_page.slug == "acme-2"


def test_site_root_serves_status_page(client, page):
    ensure_status_page(page)

    response = client.get("/")

    assert response.status_code == 200
    assert b'data-indicator="none"' in response.content
