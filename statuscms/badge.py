"""An SVG badge of a page's overall status, for READMEs and other sites.

The badge is written with ``xml.etree.ElementTree``, which escapes text
and attribute values, so a page name such as ``R&D <API>`` stays text.
Its ``<title>`` and ``aria-label`` give screen readers the page name and
the status. The text is white on colours with a contrast ratio of at
least 4.5:1 (WCAG AA).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.utils.translation import gettext

from statuscms.controlchars import strip_control_characters

__all__ = ["BADGE_COLORS", "LABEL_COLOR", "build_badge", "text_width"]

BADGE_COLORS = {
    "none": "#1a7f37",
    "maintenance": "#0969da",
    "minor": "#9a6700",
    "major": "#bc4c00",
    "critical": "#cf222e",
}
"""The colour of the status half of the badge, by page indicator."""

LABEL_COLOR = "#555555"

HEIGHT = 20
PADDING = 6
FONT_SIZE = 11

_NARROW = frozenset("fijlrtI!.,:;'|()[] ")
_WIDE = frozenset("mwMW@%")


def text_width(text: str) -> int:
    """Estimate the width in pixels of ``text`` in 11 px Verdana.

    The estimate only sizes the box. Each ``<text>`` also carries
    ``textLength``, so the browser fits the glyphs to exactly that width.
    """
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 3.8
        elif char in _WIDE:
            width += 10.0
        elif char.isupper():
            width += 7.5
        elif ord(char) > 0x2E7F:
            # CJK and other full-width scripts.
            width += 11.0
        else:
            width += 6.6
    return round(width)


def _text(parent: ET.Element, text: str, x: float, width: int) -> None:
    element = ET.SubElement(
        parent,
        "text",
        {
            "x": f"{x:g}",
            "y": "14",
            "textLength": str(width),
            "lengthAdjust": "spacingAndGlyphs",
        },
    )
    element.text = text


def build_badge(page_name: str, indicator: str, description: str) -> bytes:
    """Return the SVG of a badge reading "status | ``description``".

    ``indicator`` is the page's v2 indicator and picks the colour;
    ``description`` is the status sentence, already translated. Raises
    ``KeyError`` for an unknown indicator.
    """
    color = BADGE_COLORS[indicator]
    label = gettext("status")
    description = strip_control_characters(description)
    title = strip_control_characters(f"{page_name}: {description}")

    label_width = text_width(label)
    status_width = text_width(description)
    left = label_width + 2 * PADDING
    right = status_width + 2 * PADDING

    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(left + right),
            "height": str(HEIGHT),
            "viewBox": f"0 0 {left + right} {HEIGHT}",
            "role": "img",
            "aria-label": title,
        },
    )
    ET.SubElement(svg, "title").text = title
    ET.SubElement(
        svg, "rect", {"width": str(left), "height": str(HEIGHT), "fill": LABEL_COLOR}
    )
    ET.SubElement(
        svg,
        "rect",
        {
            "x": str(left),
            "width": str(right),
            "height": str(HEIGHT),
            "fill": color,
            "class": "status",
        },
    )
    texts = ET.SubElement(
        svg,
        "g",
        {
            "fill": "#ffffff",
            "text-anchor": "middle",
            "font-family": "Verdana,DejaVu Sans,sans-serif",
            "font-size": str(FONT_SIZE),
        },
    )
    _text(texts, label, left / 2, label_width)
    _text(texts, description, left + right / 2, status_width)
    return ET.tostring(svg, encoding="utf-8", xml_declaration=True)
