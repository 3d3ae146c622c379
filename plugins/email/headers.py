"""Header values built from text that visitors and editors wrote.

An incident title becomes an email subject. A title that carries CR or LF
would end the Subject header and start a new one (a Bcc, say), so every
header value is made one line before any mail library sees it.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["message_id", "one_line"]

# Control characters (Unicode category Cc, which includes CR, LF, TAB and
# NEL) and the Unicode line and paragraph separators.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: str) -> str:
    """Return ``value`` with each run of control characters and line breaks
    replaced by one space, and outer whitespace stripped."""
    return _BREAKS.sub(" ", value).strip()


def message_id(key: str, domain: str) -> str:
    """Return a Message-ID that is the same every time for ``key``.

    A retried delivery keeps its Message-ID, so a receiver that already
    accepted the first attempt can drop the repeat. The key is hashed
    because a msg-id allows fewer characters than a delivery key holds.
    """
    token = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<statuspage.{token}@{domain}>"
