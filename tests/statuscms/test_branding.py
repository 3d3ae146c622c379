"""Branding of status pages: fields, validation, rendering and preview."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from statuscms.branding import brand_css, validate_custom_css, validate_link_url
from statuscms.contrast import contrast_ratio
from statuscms.models import FooterLink, StatusPage
from statuscms.postmortems import IncidentPostmortem
from statuscore import services


def get_html(client, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def edit_url(status_page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[status_page.pk])


def preview_url(status_page) -> str:
    return reverse("wagtailadmin_pages:preview_on_edit", args=[status_page.pk])


def branding_form(status_page, links=(), **changes) -> dict:
    """The page editor's form data for ``status_page``, with ``changes``."""
    data = {
        "title": status_page.title,
        "slug": status_page.slug,
        "core_page": status_page.core_page_id,
        "brand_color": "#1f6feb",
        "brand_color_dark": "",
        "theme": "auto",
        "layout": "list",
        "custom_css": "",
        "intro": "",
        "footer_text": "",
        "subscriber_channels": status_page.core_page.subscriber_notifiers,
        "message_language": status_page.core_page.language,
        "comments": inline_formset([]),
        "footer_links": inline_formset(
            [
                {"label": label, "url": url, "ORDER": str(index)}
                for index, (label, url) in enumerate(links)
            ]
        ),
    }
    data.update(changes)
    return nested_form_data(data)


@pytest.fixture
def image(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Image.objects.create(
        title="Brand", file=get_test_image_file(size=(640, 480))
    )


@pytest.fixture
def incident(page):
    return services.create_incident(page, "Checkout failing", body="Looking into it.")


@pytest.fixture
def postmortem(status_page, incident):
    child = IncidentPostmortem(
        title="What broke checkout", slug="checkout", incident=incident, summary="Disk."
    )
    status_page.add_child(instance=child)
    return child


# Custom CSS rules


@pytest.mark.parametrize(
    "css",
    [
        "</style><script>alert(1)</script>",
        "</STYLE >",
        "<!--",
        "body { background: url(https://tracker.example/x.png) }",
        "body { background: URL( 'x.png' ) }",
        '@import "https://evil.example/x.css";',
        "@IMPORT url(x.css);",
        'body { background: image-set("https://x.example/a.png" 1x) }',
        'body { background: -webkit-image-set("a.png" 1x) }',
        'body { background: image("a.png") }',
        '@font-face { font-family: x; src: src("a.woff") }',
        "body { background: u\\72l(x.png) }",
        "body { color: red }\x00",
    ],
)
def test_custom_css_rule_rejects(css):
    with pytest.raises(ValidationError):
        validate_custom_css(css)


@pytest.mark.parametrize(
    "css",
    [
        "",
        ".site-header { font-family: Georgia, serif; }",
        ".banner > p { letter-spacing: 0.02em; } /* > is fine */",
        '.component__name::after { content: " •"; }',
        "@media (max-width: 40rem) { .intro { display: none; } }",
    ],
)
def test_custom_css_rule_accepts(css):
    validate_custom_css(css)


def test_custom_css_too_long_rejected():
    with pytest.raises(ValidationError):
        validate_custom_css("a{}" * 7000)


# Footer link rules


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/file",
        "//example.com/",
        "/relative/path",
        "https://",
        "mailto:",
        "mailto:not an address",
        "vbscript:msgbox(1)",
    ],
)
def test_footer_url_rejects(url):
    with pytest.raises(ValidationError):
        validate_link_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "http://example.com/help?topic=status#top",
        "mailto:support@example.com",
        "mailto:support@example.com?subject=Status",
    ],
)
def test_footer_url_accepts(url):
    validate_link_url(url)


# Brand colour and its text colour


@pytest.mark.parametrize(
    ("brand", "expected_text"),
    [
        ("#ffffff", "#000000"),
        ("#ffe066", "#000000"),
        ("#000000", "#ffffff"),
        ("#1a2b3c", "#ffffff"),
        ("#777777", "#000000"),
        ("#767676", "#000000"),
        ("#6a6a6a", "#ffffff"),
        ("#808080", "#000000"),
        ("#1f6feb", "#ffffff"),
        ("#f0f", "#000000"),
    ],
)
def test_header_text_colour_meets_aa(brand, expected_text):
    css = brand_css(brand)

    assert f"--on-brand: {expected_text};" in css
    assert contrast_ratio(expected_text, brand) >= 4.5


def test_header_text_colour_rendered(client, status_page):
    status_page.brand_color = "#ffe066"
    status_page.save_revision().publish()

    html = get_html(client)

    assert "--brand: #ffe066; --on-brand: #000000;" in html


def test_dark_brand_colour_rendered_for_dark_theme(client, status_page):
    status_page.brand_color_dark = "#ffe066"
    status_page.save_revision().publish()

    html = get_html(client)

    assert ':root[data-theme="dark"] { --brand: #ffe066; --on-brand: #000000; }' in html
    assert "prefers-color-scheme: dark" in html


def test_invalid_dark_brand_colour_not_rendered(client, status_page):
    StatusPage.objects.filter(pk=status_page.pk).update(brand_color_dark="red}x{")

    html = get_html(client)

    assert "red}x{" not in html
    assert ':root[data-theme="dark"] { --brand' not in html


# Editor form


def test_editor_saves_branding(admin_client, status_page, image):
    data = branding_form(
        status_page,
        links=[("Help", "https://example.com/help"), ("Mail", "mailto:a@example.com")],
        brand_color="#ffe066",
        brand_color_dark="#112233",
        theme="dark",
        layout="cards",
        custom_css=".intro { font-style: italic; }",
        favicon=image.pk,
        header_image=image.pk,
    )
    data["action-publish"] = "action-publish"

    response = admin_client.post(edit_url(status_page), data)

    assert response.status_code == 302
    saved = StatusPage.objects.get(pk=status_page.pk)
    assert saved.brand_color == "#ffe066"
    assert saved.brand_color_dark == "#112233"
    assert saved.theme == "dark"
    assert saved.layout == "cards"
    assert saved.custom_css == ".intro { font-style: italic; }"
    assert saved.favicon == image
    assert saved.header_image == image
    assert [link.label for link in saved.footer_links.all()] == ["Help", "Mail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("brand_color", "red"),
        ("brand_color_dark", "#12345"),
        ("custom_css", "</style><script>alert(1)</script>"),
        ("custom_css", "body { background: url(https://x.example/) }"),
        ("theme", "sepia"),
        ("layout", "masonry"),
    ],
)
def test_editor_rejects_bad_branding(admin_client, status_page, field, value):
    data = branding_form(status_page, **{field: value})

    response = admin_client.post(edit_url(status_page), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    saved = StatusPage.objects.get(pk=status_page.pk)
    assert getattr(saved, field) != value


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/"])
def test_editor_rejects_bad_footer_link(admin_client, status_page, url):
    data = branding_form(status_page, links=[("Bad", url)])

    response = admin_client.post(edit_url(status_page), data)

    assert response.status_code == 200
    formset = response.context["form"].formsets["footer_links"]
    assert "url" in formset.forms[0].errors
    assert not FooterLink.objects.exists()


# Rendering


def test_default_favicon_linked(client, status_page):
    html = get_html(client)

    assert '<link rel="icon" href="/static/statuscms/favicon.svg"' in html


def test_favicon_image_linked(client, status_page, image):
    status_page.favicon = image
    status_page.save_revision().publish()

    html = get_html(client)

    rendition = image.get_rendition("fill-32x32|format-png")
    assert f'<link rel="icon" href="{rendition.url}" sizes="32x32"' in html
    assert "favicon.svg" not in html


def test_header_image_rendered(client, status_page, image):
    status_page.header_image = image
    status_page.save_revision().publish()

    html = get_html(client)

    assert 'class="site-header__image"' in html
    assert image.get_rendition("fill-1600x320").url in html


@pytest.mark.parametrize(
    ("theme", "attribute"),
    [("light", ' data-theme="light"'), ("dark", ' data-theme="dark"')],
)
def test_page_theme_set_on_html(client, status_page, theme, attribute):
    status_page.theme = theme
    status_page.save_revision().publish()

    html = get_html(client)

    assert f'<html lang="en"{attribute}>' in html


def test_automatic_theme_leaves_html_unset(client, status_page):
    html = get_html(client)

    assert "data-theme=" not in html.split("<head>")[0]


@pytest.mark.parametrize("layout", ["list", "cards", "compact"])
def test_layout_class_on_body(client, status_page, layout):
    status_page.layout = layout
    status_page.save_revision().publish()

    html = get_html(client)

    assert f'<body class="layout-{layout}">' in html


def test_unknown_stored_layout_falls_back(client, status_page):
    StatusPage.objects.filter(pk=status_page.pk).update(layout='x" onclick="y')

    html = get_html(client)

    assert '<body class="layout-list">' in html


def test_theme_toggle_hidden_until_script(client, status_page):
    html = get_html(client)

    assert '<script src="/static/statuscms/theme.js"></script>' in html
    assert 'data-theme-toggle hidden aria-pressed="false"' in html


def test_custom_css_rendered_in_style(client, status_page):
    status_page.custom_css = ".intro > p { font-style: italic; }"
    status_page.save_revision().publish()

    html = get_html(client)

    assert (
        '<style data-custom-css="">.intro > p { font-style: italic; }</style>' in html
    )


def test_stored_bad_custom_css_not_rendered(client, status_page):
    StatusPage.objects.filter(pk=status_page.pk).update(
        custom_css="</style><script>alert(1)</script>"
    )

    html = get_html(client)

    assert "alert(1)" not in html
    assert "data-custom-css" not in html


def test_footer_links_rendered(client, status_page):
    FooterLink.objects.create(
        page=status_page, label="Help & docs", url="https://example.com/"
    )
    FooterLink.objects.create(
        page=status_page, label="Mail", url="mailto:a@example.com"
    )

    html = get_html(client)

    assert '<a href="https://example.com/">Help &amp; docs</a>' in html
    assert '<a href="mailto:a@example.com">Mail</a>' in html


def test_stored_bad_footer_link_not_rendered(client, status_page):
    FooterLink.objects.create(page=status_page, label="Bad", url="javascript:alert(1)")
    FooterLink.objects.create(
        page=status_page, label="Good", url="https://example.com/"
    )

    html = get_html(client)

    assert "javascript:" not in html
    assert '<a href="https://example.com/">Good</a>' in html


def branded_paths(status_page, incident, postmortem) -> dict[str, str]:
    return {
        "main": "/",
        "incident": status_page.url
        + status_page.reverse_subpage("incident", args=[incident.pk]),
        "history": status_page.url + status_page.reverse_subpage("history"),
        "postmortem": postmortem.url,
    }


@pytest.mark.parametrize("which", ["main", "incident", "history", "postmortem"])
def test_branding_reaches_every_public_page(
    client, status_page, incident, postmortem, image, which
):
    status_page.brand_color = "#ffe066"
    status_page.theme = "dark"
    status_page.layout = "compact"
    status_page.custom_css = ".intro { color: inherit; }"
    status_page.footer_text = "Run by Acme."
    status_page.favicon = image
    status_page.save_revision().publish()
    FooterLink.objects.create(
        page=status_page, label="Help", url="https://example.com/"
    )
    paths = branded_paths(status_page, incident, postmortem)

    html = get_html(client, paths[which])

    assert "--brand: #ffe066;" in html
    assert 'data-theme="dark"' in html
    assert '<body class="layout-compact">' in html
    assert ".intro { color: inherit; }" in html
    assert "Run by Acme." in html
    assert '<a href="https://example.com/">Help</a>' in html
    assert 'sizes="32x32"' in html
    assert '<h1 class="site-header__title">Acme Status</h1>' in html


# Preview


def test_preview_shows_unsaved_branding(admin_client, client, status_page):
    data = branding_form(
        status_page,
        links=[("Preview help", "https://example.com/preview")],
        brand_color="#ffe066",
        theme="dark",
        layout="cards",
        custom_css=".banner { letter-spacing: 0.1em; }",
        footer_text="Preview footer",
    )

    posted = admin_client.post(preview_url(status_page), data)
    shown = admin_client.get(preview_url(status_page))

    assert posted.json()["is_valid"] is True
    html = shown.content.decode()
    assert shown.status_code == 200
    assert "--brand: #ffe066; --on-brand: #000000;" in html
    assert 'data-theme="dark"' in html
    assert '<body class="layout-cards">' in html
    assert ".banner { letter-spacing: 0.1em; }" in html
    assert '<a href="https://example.com/preview">Preview help</a>' in html
    assert "Preview footer" in html
    live = get_html(client)
    assert "#ffe066" not in live
    assert "Preview footer" not in live


def test_preview_rejects_bad_custom_css(admin_client, status_page):
    data = branding_form(status_page, custom_css="</style><script>alert(1)</script>")

    posted = admin_client.post(preview_url(status_page), data)

    assert posted.json()["is_valid"] is False
