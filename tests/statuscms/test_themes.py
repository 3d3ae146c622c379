"""The light and dark palettes: WCAG AA contrast, and the CSS made from them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from statuscms import themes
from statuscms.contrast import contrast_ratio, readable_text_color, relative_luminance

STATIC = Path(themes.__file__).parent / "static" / "statuscms"
STYLESHEETS = sorted(path for path in STATIC.rglob("*.css") if path.name != "theme.css")


def pair_id(pair: themes.ContrastPair) -> str:
    return f"{pair.foreground}-on-{pair.background}"


@pytest.mark.parametrize("theme", list(themes.PALETTES))
@pytest.mark.parametrize("pair", themes.CONTRAST_PAIRS, ids=pair_id)
def test_palette_pair_meets_wcag_aa(theme, pair):
    palette = themes.PALETTES[theme]

    ratio = contrast_ratio(palette[pair.foreground], palette[pair.background])

    assert ratio >= pair.minimum, (
        f"{theme} theme: {pair.use} {pair.foreground} {palette[pair.foreground]} on "
        f"{pair.background} {palette[pair.background]} is {ratio:.2f}:1, "
        f"below {pair.minimum}:1"
    )


def test_palettes_define_same_names():
    assert list(themes.LIGHT) == list(themes.DARK)


def test_theme_css_matches_palettes():
    on_disk = (STATIC / "theme.css").read_text()

    assert on_disk == themes.render_css(), (
        "theme.css is out of date: run "
        "`python -m statuscms.themes > statuscms/static/statuscms/theme.css`"
    )


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda path: path.name)
def test_stylesheet_uses_only_defined_colours(stylesheet):
    """Every custom property a stylesheet reads is in the palette or set by
    the stylesheets themselves, so no colour escapes the contrast test."""
    defined = set(themes.LIGHT)
    for path in STYLESHEETS:
        defined |= set(re.findall(r"--([\w-]+)\s*:", path.read_text()))

    used = set(re.findall(r"var\(--([\w-]+)", stylesheet.read_text()))

    assert used - defined == set()


def literal_colours(css: str) -> list[str]:
    """Return the colours written in ``css`` outside comments, shadows and the
    fallbacks of ``var()``, which never apply while theme.css is loaded."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"var\(--[\w-]+\s*,[^)]*\)", "var()", css)
    css = re.sub(r"box-shadow\s*:[^;}]*", "", css)
    return re.findall(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?|color-mix)\(", css)


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda path: path.name)
def test_stylesheet_has_no_literal_colours(stylesheet):
    """Colours belong in themes.py, where the contrast test sees them."""
    assert literal_colours(stylesheet.read_text()) == []


def test_literal_colour_finder_sees_colours():
    css = (
        ".a { color: #abc; } .b { background: rgb(0 0 0); } .c { color: var(--x, red) }"
    )

    assert literal_colours(css) == ["#abc", "rgb("]


@pytest.mark.parametrize(
    ("color", "expected"),
    [
        ("#000000", 0.0),
        ("#ffffff", 1.0),
        ("#fff", 1.0),
        ("#808080", 0.2158605),
        ("#ff0000", 0.2126),
    ],
)
def test_relative_luminance_of_known_colours(color, expected):
    assert relative_luminance(color) == pytest.approx(expected, abs=1e-6)


def test_contrast_black_on_white_is_21():
    assert contrast_ratio("#000", "#fff") == pytest.approx(21.0)


def test_contrast_is_symmetric():
    assert contrast_ratio("#1f6feb", "#ffffff") == contrast_ratio("#ffffff", "#1f6feb")


@pytest.mark.parametrize("gray", range(0, 256, 5))
def test_readable_text_on_any_gray_meets_aa(gray):
    background = f"#{gray:02x}{gray:02x}{gray:02x}"

    text = readable_text_color(background)

    assert contrast_ratio(text, background) >= 4.5


@pytest.mark.parametrize("color", ["#12", "red", "#gggggg", "#1234567", "1a2b3c"])
def test_invalid_hex_rejected(color):
    with pytest.raises(ValueError):
        relative_luminance(color)
