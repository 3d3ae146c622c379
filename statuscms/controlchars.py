"""Remove characters that XML 1.0 and iCalendar cannot carry from editor text.

XML 1.0 allows only tab, line feed, carriage return and the code points
from U+0020 up, less the surrogates and U+FFFE and U+FFFF. A single NUL or
vertical tab in an incident update would make a whole feed unreadable, and
Django's feed writer raises ``UnserializableContentError`` on it. The C1
controls (U+0080 to U+009F) and DEL are legal XML but XML 1.0 discourages
them, and RFC 5545 forbids them in iCalendar text, so they go too.
"""

from __future__ import annotations

import re

__all__ = ["strip_control_characters"]

_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)


def strip_control_characters(text: str | None) -> str:
    """Return ``text`` without the characters that XML 1.0 cannot carry.

    Tab, line feed and carriage return are kept. Lone surrogates, which
    cannot be encoded as UTF-8, are removed as well. ``None`` gives an
    empty string.
    """
    if not text:
        return ""
    return _FORBIDDEN.sub("", str(text))
