"""Markdown written by editors renders to HTML with no executable part."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from statuscore.markup import ALLOWED_TAGS, render_markdown


class ParsedHtml(HTMLParser):
    """The tags, attributes and text of an HTML fragment, as a browser reads
    them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text += data


PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    '<https://ok.example/a"onmouseover="alert(1)>',
    '[t](https://ok.example "a\\" onmouseover=\\"alert(1)")',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "![x](https://evil.example/track.png)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_renders_without_executable_markup(payload):
    html = render_markdown(payload)
    parsed = ParsedHtml(html)

    assert "script" not in parsed.tags
    assert "svg" not in parsed.tags
    assert "img" not in parsed.tags
    assert "iframe" not in parsed.tags
    assert "style" not in parsed.tags
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert not [
        name for _tag, name, _value in parsed.attributes if name.startswith("on")
    ]
    assert not [name for _tag, name, _value in parsed.attributes if name == "src"]
    assert not [
        value
        for _tag, name, value in parsed.attributes
        if name == "href" and not value.startswith(("http://", "https://", "mailto:"))
    ]


def test_raw_html_is_shown_as_text():
    parsed = ParsedHtml(render_markdown("<img src=x onerror=alert(1)>"))

    assert parsed.tags == ["p"]
    assert parsed.text == "<img src=x onerror=alert(1)>"


def test_attribute_breakout_stays_text():
    html = render_markdown('"><img src=x onerror=alert(1)>')

    assert "<img" not in html
    assert "&lt;img" in html


def test_script_breakout_is_escaped():
    html = render_markdown("</script><script>alert(1)</script>")

    assert "</script>" not in html
    assert "<script>" not in html
    assert "&lt;/script&gt;&lt;script&gt;" in html


@pytest.mark.parametrize(
    "payload",
    [
        "[x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        "[x](/relative/path)",
    ],
)
def test_disallowed_link_loses_its_href(payload):
    parsed = ParsedHtml(render_markdown(payload))

    assert parsed.tags == ["p", "a"]
    assert not [name for _tag, name, _value in parsed.attributes if name == "href"]
    assert parsed.text == "x"


def test_title_quote_cannot_open_an_attribute():
    parsed = ParsedHtml(
        render_markdown('[t](https://ok.example "a\\" onmouseover=\\"alert(1)")')
    )

    names = [name for _tag, name, _value in parsed.attributes]
    assert "onmouseover" not in names
    assert ("a", "href", "https://ok.example") in parsed.attributes


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("[docs](https://docs.example/guide)", "https://docs.example/guide"),
        ("[old](http://legacy.example/)", "http://legacy.example/"),
        ("[mail](mailto:ops@example.test)", "mailto:ops@example.test"),
        ("<https://auto.example/>", "https://auto.example/"),
    ],
)
def test_allowed_link_is_kept_with_rel(text, href):
    parsed = ParsedHtml(render_markdown(text))

    assert ("a", "href", href) in parsed.attributes
    assert ("a", "rel", "nofollow noopener") in parsed.attributes


def test_markdown_formatting_is_rendered():
    html = render_markdown("**Fixed** the `cache`.\n\n- one\n- two")

    assert "<strong>Fixed</strong>" in html
    assert "<code>cache</code>" in html
    assert "<li>one</li>" in html


def test_line_break_inside_paragraph_is_kept():
    assert render_markdown("first\nsecond") == "<p>first<br>\nsecond</p>"


def test_ampersand_and_entities_are_escaped_once():
    assert render_markdown("R&D &lt;b&gt;") == "<p>R&amp;D &lt;b&gt;</p>"


def test_result_is_safe_string():
    assert isinstance(render_markdown("hello"), SafeString)


@pytest.mark.parametrize("text", ["", None])
def test_empty_text_renders_empty(text):
    assert render_markdown(text) == ""


def test_template_filter_renders_sanitised_markdown():
    template = Template("{% load statuscore_markup %}{{ body|markdown }}")

    html = template.render(Context({"body": "<svg onload=alert(1)> **ok**"}))

    assert "<svg" not in html
    assert "&lt;svg onload=alert(1)&gt;" in html
    assert "<strong>ok</strong>" in html
