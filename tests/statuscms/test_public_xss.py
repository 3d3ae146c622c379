"""Every editable field that reaches the public pages stays inert.

The test is generated: each script-injection payload is stored in each
field, one pair per test, and the main page, the incident page and the
history page are parsed for any executable part.
"""

from __future__ import annotations

import pytest

from tests.statuscms.xss import (
    FIELDS,
    PAYLOADS,
    build_scene,
    executable_parts,
    marker,
    texts_with,
)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def rendered_pages(client, scene) -> dict[str, str]:
    pages = {}
    for url in scene.urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


@pytest.mark.parametrize("payload_name", list(PAYLOADS))
@pytest.mark.parametrize("field", FIELDS)
def test_field_renders_inert(client, status_page, page, field, payload_name):
    scene = build_scene(status_page, page, texts_with(field, PAYLOADS[payload_name]))

    pages = rendered_pages(client, scene)

    for url, html in pages.items():
        assert executable_parts(html) == [], url
    assert any(marker(field) in html for html in pages.values())


def test_fields_reach_public_pages(client, status_page, page):
    scene = build_scene(status_page, page, texts_with(None, None))

    pages = rendered_pages(client, scene)

    missing = [
        field
        for field in FIELDS
        if not any(marker(field) in html for html in pages.values())
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>plain</p>", []),
        ('<script src="/static/app.js"></script>', []),
        ("<script>alert(1)</script>", ["<script {}>", "inline script 'alert(1)'"]),
        ('<img src="x" onerror="alert(1)">', ["<img onerror='alert(1)'>"]),
        ("<svg></svg>", ["<svg>"]),
        (
            '<a href=" JaVa&#x09;script:alert(1)">x</a>',
            ["<a href=' JaVa\\tscript:alert(1)'>"],
        ),
        ('<a href="data:text/html,x">x</a>', ["<a href='data:text/html,x'>"]),
        ('<iframe srcdoc="x"></iframe>', ["<iframe>", "<iframe srcdoc='x'>"]),
    ],
)
def test_executable_finder(html, expected):
    assert executable_parts(html) == expected
