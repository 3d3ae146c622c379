"""Validation and rendering of a status page's branding.

Editors choose colours, a theme, a layout, footer links and custom CSS in
the page editor. Everything here runs twice: as form validators when the
page is saved, and again when the page is rendered, because a row written
with ``QuerySet.update()`` or by a script skips the validators.

Custom CSS is placed in a ``<style>`` element of every public page. Its
rules (see ``validate_custom_css``) keep it inside that element and keep it
from loading anything from another origin.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator, URLValidator
from django.db import models

from statuscms.contrast import HEX_COLOR, readable_text_color

__all__ = [
    "CUSTOM_CSS_MAX_LENGTH",
    "DEFAULT_BRAND_COLOR",
    "Layout",
    "Theme",
    "brand_css",
    "checked_custom_css",
    "is_safe_link",
    "safe_color",
    "validate_brand_color",
    "validate_custom_css",
    "validate_link_url",
]

logger = logging.getLogger(__name__)

DEFAULT_BRAND_COLOR = "#1f6feb"

CUSTOM_CSS_MAX_LENGTH = 20_000

# Lower-case fragments that would make a browser fetch a resource: url() and
# src() functions, image-set() and image() (both take plain strings as
# addresses), and @import (which also takes a plain string).
FORBIDDEN_CSS_FRAGMENTS = ("@import", "url(", "src(", "image-set(", "image(")

# Control characters other than tab, line feed, form feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

LINK_SCHEMES = ("http", "https", "mailto")


class Theme(models.TextChoices):
    AUTO = "auto", "Automatic (follows the visitor's system)"
    LIGHT = "light", "Light"
    DARK = "dark", "Dark"


class Layout(models.TextChoices):
    LIST = "list", "List: one component a row"
    CARDS = "cards", "Cards: components in a grid of tiles"
    COMPACT = "compact", "Compact: smaller rows, no descriptions"


validate_brand_color = RegexValidator(
    HEX_COLOR,
    message="Enter a hex colour such as #1a2b3c or #abc.",
    code="invalid_brand_color",
)


def validate_custom_css(value: str) -> None:
    """Reject CSS that could leave its ``<style>`` element or load a resource.

    The rules, checked without regard to case:

    1. No ``<``, so neither ``</style>`` nor an HTML comment can end the
       element early.
    2. No backslash, because a CSS escape such as ``u\\72l(`` spells a
       forbidden word in a way a text search misses.
    3. No ``@import``, ``url(``, ``src(``, ``image-set(`` or ``image(``: the
       page loads no stylesheet, font or image chosen in custom CSS.
    4. No control characters, and at most ``CUSTOM_CSS_MAX_LENGTH``
       characters.
    """
    problems = []
    if len(value) > CUSTOM_CSS_MAX_LENGTH:
        problems.append(
            f"It is {len(value)} characters long; "
            f"the maximum is {CUSTOM_CSS_MAX_LENGTH}."
        )
    if "<" in value:
        problems.append("It contains “<”, which could end the style element.")
    if "\\" in value:
        problems.append("It contains a backslash; CSS escapes are not allowed.")
    lowered = value.lower()
    for fragment in FORBIDDEN_CSS_FRAGMENTS:
        if fragment in lowered:
            problems.append(f"It contains “{fragment}”; custom CSS cannot load files.")
    if CONTROL_CHARACTERS.search(value):
        problems.append("It contains control characters.")
    if problems:
        raise ValidationError(problems, code="invalid_custom_css")


def checked_custom_css(value: str, page_id: int | None) -> str:
    """Return ``value`` if it passes ``validate_custom_css``, else ``""``."""
    if not value:
        return ""
    try:
        validate_custom_css(value)
    except ValidationError:
        logger.warning(
            "Custom CSS of status page %s breaks the rules and is not served",
            page_id,
        )
        return ""
    return value


def validate_link_url(value: str) -> None:
    """Accept an absolute http or https URL, or a ``mailto:`` address."""
    scheme = urlsplit(value).scheme.lower()
    if scheme not in LINK_SCHEMES:
        raise ValidationError(
            "Enter an http, https or mailto link, such as https://example.com/.",
            code="invalid_link_scheme",
        )
    if scheme == "mailto":
        address = unquote(value[len("mailto:") :].split("?", 1)[0])
        EmailValidator(
            message="Enter a mailto link with one valid email address.",
        )(address)
        return
    URLValidator(
        schemes=["http", "https"],
        message="Enter a valid http or https URL, such as https://example.com/.",
    )(value)


def is_safe_link(url: str) -> bool:
    """Return whether ``url`` passes ``validate_link_url``."""
    try:
        validate_link_url(url)
    except ValidationError:
        return False
    return True


def safe_color(value: str | None, default: str) -> str:
    """Return ``value`` if it is a hex colour, else ``default``."""
    if value and HEX_COLOR.match(value):
        return value
    return default


def _brand_declarations(color: str) -> str:
    return f"--brand: {color}; --on-brand: {readable_text_color(color)};"


def brand_css(brand_color: str, brand_color_dark: str = "") -> str:
    """Return CSS that sets ``--brand`` and its text colour ``--on-brand``.

    Both colours must already be valid hex colours (see ``safe_color``).
    ``--on-brand`` is black or white, whichever contrasts more with the
    brand colour, so text in the header always meets WCAG AA. The dark
    theme uses ``brand_color_dark`` when it is set. The selectors are at
    least as specific as those of ``theme.css``, and this CSS comes after
    it in the page, so these values win.
    """
    css = f":root, :root[data-theme] {{ {_brand_declarations(brand_color)} }}\n"
    if brand_color_dark:
        dark = _brand_declarations(brand_color_dark)
        css += (
            f':root[data-theme="dark"] {{ {dark} }}\n'
            "@media (prefers-color-scheme: dark) {\n"
            f'    :root:not([data-theme="light"]) {{ {dark} }}\n'
            "}\n"
        )
    return css
