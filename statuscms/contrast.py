"""WCAG 2.x contrast ratios of sRGB colours written as hex.

The formulas are those of WCAG 2.2, "relative luminance" and "contrast
ratio" in its glossary: each sRGB channel is linearised, weighted into a
luminance from 0 (black) to 1 (white), and two luminances L1 >= L2 give the
ratio (L1 + 0.05) / (L2 + 0.05), from 1 to 21.
"""

from __future__ import annotations

import re

__all__ = ["contrast_ratio", "parse_hex", "readable_text_color", "relative_luminance"]

HEX_COLOR = re.compile(r"\A#(?:[0-9a-fA-F]{3}){1,2}\Z")

BLACK = "#000000"
WHITE = "#ffffff"


def parse_hex(color: str) -> tuple[int, int, int]:
    """Return the red, green and blue channels (0-255) of ``#rgb`` or ``#rrggbb``.

    Raises ``ValueError`` for anything else.
    """
    if not HEX_COLOR.match(color):
        raise ValueError(f"{color!r} is not a hex colour such as #1a2b3c or #abc.")
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _linear(channel: int) -> float:
    value = channel / 255
    if value <= 0.04045:
        return value / 12.92
    return ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """Return the WCAG relative luminance of ``color``, from 0 to 1."""
    red, green, blue = (_linear(channel) for channel in parse_hex(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two colours, from 1 to 21, in any order."""
    lighter, darker = sorted(
        (relative_luminance(first), relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_color(background: str) -> str:
    """Return black or white, whichever contrasts more with ``background``.

    The better of the two always reaches at least 4.58:1, above the 4.5:1
    that WCAG AA asks of normal text, whatever the background.
    """
    if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background):
        return BLACK
    return WHITE
