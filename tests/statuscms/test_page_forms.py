"""Creating status pages in the Wagtail page editor, and renaming them."""

from __future__ import annotations

from django.urls import reverse
from wagtail.models import Page as WagtailPage
from wagtail.models import Site

from statuscms.models import StatusPage
from statuscore import services
from statuscore.models import Organization
from statuscore.models import Page as CorePage


def add_url() -> str:
    root = WagtailPage.get_first_root_node()
    return reverse("wagtailadmin_pages:add", args=["statuscms", "statuspage", root.pk])


def page_form(title: str, slug: str, **changes) -> dict:
    data = {
        "title": title,
        "slug": slug,
        "core_page": "",
        "organization": "",
        "brand_color": "#1f6feb",
        "intro": "",
        "footer_text": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "theme": "auto",
        "layout": "list",
        "footer_links-TOTAL_FORMS": "0",
        "footer_links-INITIAL_FORMS": "0",
        "footer_links-MIN_NUM_FORMS": "0",
        "footer_links-MAX_NUM_FORMS": "10",
        "action-publish": "action-publish",
    }
    data.update(changes)
    return data


def core_page_choices(response) -> list[int]:
    return [page.pk for page in response.context["form"].fields["core_page"].queryset]


def test_add_form_hides_taken_core_page(admin_client, status_page, page, organization):
    free = services.create_page(organization, "Free", "free")

    response = admin_client.get(add_url())

    assert response.status_code == 200
    assert core_page_choices(response) == [free.pk]


def test_edit_form_offers_own_core_page(admin_client, status_page, page):
    response = admin_client.get(
        reverse("wagtailadmin_pages:edit", args=[status_page.pk])
    )

    assert response.status_code == 200
    assert core_page_choices(response) == [page.pk]
    assert "organization" not in response.context["form"].fields


def test_second_page_creates_core_page(admin_client, status_page, organization):
    response = admin_client.post(add_url(), page_form("Acme Mobile", "mobile"))

    assert response.status_code == 302
    second = StatusPage.objects.get(slug="mobile")
    assert second.live
    assert second.core_page.name == "Acme Mobile"
    assert second.core_page.slug == "mobile"
    assert second.core_page.organization == organization


def test_second_page_serves(admin_client, client, status_page, page):
    admin_client.post(add_url(), page_form("Acme Mobile", "mobile"))
    second = StatusPage.objects.get(slug="mobile")
    services.create_component(second.core_page, "Push notifications")
    Site.objects.create(hostname="mobile.acme.test", port=80, root_page=second)

    response = client.get("/", HTTP_HOST="mobile.acme.test")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme Mobile" in html
    assert "Push notifications" in html
    assert "Acme Status" not in html


def test_second_page_takes_free_core_page(admin_client, status_page, organization):
    free = services.create_page(organization, "Acme Mobile", "acme-mobile")
    data = page_form("Mobile status", "mobile", core_page=free.pk)

    response = admin_client.post(add_url(), data)

    assert response.status_code == 302
    assert StatusPage.objects.get(slug="mobile").core_page == free
    assert CorePage.objects.count() == 2


def test_taken_core_page_rejected(admin_client, status_page, page):
    data = page_form("Copy", "copy", core_page=page.pk)

    response = admin_client.post(add_url(), data)

    assert response.status_code == 200
    assert "core_page" in response.context["form"].errors
    assert StatusPage.objects.count() == 1


def test_taken_core_slug_rejected(admin_client, status_page, organization):
    services.create_page(organization, "Free", "free")

    response = admin_client.post(add_url(), page_form("Copy", "free"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "slug" in errors
    assert "Core page slug" in errors["slug"][0]
    assert StatusPage.objects.count() == 1
    assert CorePage.objects.count() == 2


def test_several_organizations_need_choice(admin_client, status_page, organization):
    Organization.objects.create(name="Beta", slug="beta")

    response = admin_client.post(add_url(), page_form("Acme Mobile", "mobile"))

    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not CorePage.objects.filter(slug="mobile").exists()


def test_several_organizations_chosen_one_used(admin_client, status_page):
    beta = Organization.objects.create(name="Beta", slug="beta")
    data = page_form("Beta status", "beta", organization=beta.pk)

    response = admin_client.post(add_url(), data)

    assert response.status_code == 302
    assert CorePage.objects.get(slug="beta").organization == beta


def test_no_organization_needs_core_page(admin_client, db):
    response = admin_client.post(add_url(), page_form("Lonely", "lonely"))

    assert response.status_code == 200
    assert "core_page" in response.context["form"].errors
    assert not CorePage.objects.exists()


def test_long_title_rejected(admin_client, status_page):
    response = admin_client.post(add_url(), page_form("x" * 201, "long"))

    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not CorePage.objects.filter(slug="long").exists()


def edit_form(status_page, **changes) -> dict:
    data = page_form(
        status_page.title, status_page.slug, core_page=status_page.core_page_id
    )
    del data["organization"]
    # A browser posts the checked boxes and the selected option as shown.
    data["subscriber_channels"] = status_page.core_page.subscriber_notifiers
    data["message_language"] = status_page.core_page.language
    data["page_domain"] = status_page.core_page.domain
    data["access_mode"] = status_page.core_page.access
    data["ip_allowlist"] = "\n".join(status_page.core_page.ip_allowlist)
    data.update(changes)
    return data


def test_publish_renames_core_page(admin_client, client, status_page, page):
    url = reverse("wagtailadmin_pages:edit", args=[status_page.pk])

    response = admin_client.post(url, edit_form(status_page, title="Acme Cloud"))

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.name == "Acme Cloud"
    summary = client.get("/api/v2/summary.json", HTTP_HOST=page.domain).json()
    assert summary["page"]["name"] == "Acme Cloud"


def test_draft_keeps_core_name(admin_client, status_page, page):
    url = reverse("wagtailadmin_pages:edit", args=[status_page.pk])
    data = edit_form(status_page, title="Acme Cloud")
    del data["action-publish"]

    response = admin_client.post(url, data)

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.name == "Acme Status"


def test_publish_same_title_no_write(admin_client, status_page, page):
    before = CorePage.objects.get(pk=page.pk).updated_at
    url = reverse("wagtailadmin_pages:edit", args=[status_page.pk])

    response = admin_client.post(url, edit_form(status_page))

    assert response.status_code == 302
    assert CorePage.objects.get(pk=page.pk).updated_at == before


def test_edit_form_sets_subscriber_channels(admin_client, status_page, page):
    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[status_page.pk]),
        page_form(
            status_page.title,
            status_page.slug,
            core_page=str(page.pk),
            subscriber_channels=["email", "webhook"],
            message_language="fr",
        ),
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.subscriber_notifiers == ["email", "webhook"]
    assert page.language == "fr"


def test_edit_form_refuses_unknown_channel(admin_client, status_page, page):
    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[status_page.pk]),
        page_form(
            status_page.title,
            status_page.slug,
            core_page=str(page.pk),
            subscriber_channels=["email", "pager"],
        ),
    )

    assert response.status_code == 200
    assert "subscriber_channels" in response.context["form"].errors
    page.refresh_from_db()
    assert page.subscriber_notifiers == ["email"]


def test_edit_form_sets_time_zone(admin_client, status_page, page):
    url = reverse("wagtailadmin_pages:edit", args=[status_page.pk])

    form = admin_client.get(url).context["form"]
    response = admin_client.post(
        url, edit_form(status_page, page_time_zone="Europe/Berlin")
    )

    assert form["page_time_zone"].value() == "UTC"
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.time_zone == "Europe/Berlin"


def test_edit_form_refuses_unknown_time_zone(admin_client, status_page, page):
    url = reverse("wagtailadmin_pages:edit", args=[status_page.pk])

    response = admin_client.post(
        url, edit_form(status_page, page_time_zone="Mars/Olympus_Mons")
    )

    assert response.status_code == 200
    assert "page_time_zone" in response.context["form"].errors
    page.refresh_from_db()
    assert page.time_zone == "UTC"


def edit_url(status_page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[status_page.pk])


def test_edit_form_sets_password_as_hash(admin_client, status_page, page):
    response = admin_client.post(
        edit_url(status_page),
        edit_form(
            status_page, access_mode="password", access_password="a page password"
        ),
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.access == "password"
    assert page.access_password.startswith("md5$")


def test_edit_form_never_shows_password(admin_client, status_page, page):
    page = services.update_page(page, access="password", password="a page password")

    html = admin_client.get(edit_url(status_page)).content.decode()

    assert 'name="access_password"' in html
    assert page.access_password not in html
    assert "a page password" not in html


def test_edit_form_keeps_password_when_left_empty(admin_client, status_page, page):
    page = services.update_page(page, access="password", password="a page password")

    admin_client.post(edit_url(status_page), edit_form(status_page, title="Renamed"))

    assert CorePage.objects.get(pk=page.pk).access_password == page.access_password


def test_edit_form_short_password_gets_only_length_message(
    admin_client, status_page, page
):
    response = admin_client.post(
        edit_url(status_page),
        edit_form(status_page, access_mode="password", access_password="12345"),
    )

    assert response.context["form"].errors["access_password"] == [
        "The password must be at least 8 characters long; it is 5."
    ]


def test_edit_form_needs_password_for_password_mode(admin_client, status_page, page):
    response = admin_client.post(
        edit_url(status_page), edit_form(status_page, access_mode="password")
    )

    assert response.status_code == 200
    assert "access_password" in response.context["form"].errors


def test_edit_form_without_password_says_one_is_needed(admin_client, status_page, page):
    response = admin_client.post(
        edit_url(status_page), edit_form(status_page, access_mode="password")
    )

    assert response.context["form"].errors["access_password"] == [
        "A page readable with a password needs a password."
    ]


def test_edit_form_rejects_bad_allowlist_entry(admin_client, status_page, page):
    response = admin_client.post(
        edit_url(status_page), edit_form(status_page, ip_allowlist="192.0.2.0/24\nbad")
    )

    assert response.status_code == 200
    assert "ip_allowlist" in response.context["form"].errors
    page.refresh_from_db()
    assert page.ip_allowlist == []


def test_edit_form_saves_allowlist(admin_client, status_page, page):
    admin_client.post(
        edit_url(status_page),
        edit_form(status_page, ip_allowlist="192.0.2.0/24\n2001:db8::1"),
    )

    page.refresh_from_db()
    assert page.ip_allowlist == ["192.0.2.0/24", "2001:db8::1"]


def test_edit_form_domain_creates_site(admin_client, status_page, page):
    admin_client.post(
        edit_url(status_page), edit_form(status_page, page_domain="Pay.Example.Test.")
    )

    page.refresh_from_db()
    assert page.domain == "pay.example.test"
    assert Site.objects.get(hostname="pay.example.test").root_page_id == status_page.pk


def test_edit_form_rejects_invalid_domain(admin_client, status_page, page):
    response = admin_client.post(
        edit_url(status_page), edit_form(status_page, page_domain="http://x")
    )

    assert response.status_code == 200
    assert "page_domain" in response.context["form"].errors
