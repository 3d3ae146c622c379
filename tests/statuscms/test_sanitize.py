from __future__ import annotations

import pytest

from statuscms.sanitize import sanitize_html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<img src="x" onerror="alert(1)">', "<img>"),
        ("<svg onload=alert(1)>", ""),
        ("<script>alert(1)</script>", ""),
        (
            '<a href="javascript:alert(1)">x</a>',
            '<a rel="noopener noreferrer">x</a>',
        ),
        (
            '<a href="data:text/html,x">x</a>',
            '<a rel="noopener noreferrer">x</a>',
        ),
        ('<p style="color:red" class="note">x</p>', '<p class="note">x</p>'),
    ],
)
def test_sanitize_html_removes_executable(html, expected):
    assert sanitize_html(html) == expected


def test_sanitize_html_keeps_media_image(settings):
    settings.MEDIA_URL = "/media/"
    html = '<img src="/media/images/figure.max-1200x800.png" alt="Graph">'

    assert sanitize_html(html) == html


def test_sanitize_html_keeps_safe_links_and_time():
    html = (
        '<p><a href="https://example.test/" rel="noopener noreferrer">docs</a> '
        '<time datetime="2026-08-06T18:31:00Z">then</time></p>'
    )

    assert sanitize_html(html) == html
