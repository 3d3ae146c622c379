from __future__ import annotations

from datetime import UTC, datetime

from django.template import Context, Template

INSTANT = datetime(2026, 8, 6, 18, 31, 37, tzinfo=UTC)


def render(source: str, **values) -> str:
    template = Template("{% load public_page %}" + source)
    return template.render(Context(values))


def test_local_time_in_given_zone():
    html = render("{% local_time when zone 'x' %}", when=INSTANT, zone="Asia/Kolkata")

    expected = (
        '<time class="x" datetime="2026-08-06T18:31:37Z">'
        "7 Aug 2026, 00:01 UTC+05:30</time>"
    )
    assert html == expected


def test_local_time_without_zone_is_utc():
    html = render("{% local_time when time_zone %}", when=INSTANT)

    assert ">6 Aug 2026, 18:31 UTC</time>" in html


def test_local_time_of_none_is_empty():
    assert render("{% local_time when 'UTC' %}", when=None) == ""


def test_markdown_filter_escapes_raw_html():
    html = render("{{ text|markdown }}", text="**bold** <img src=x onerror=alert(1)>")

    assert "<strong>bold</strong>" in html
    assert "<img" not in html
