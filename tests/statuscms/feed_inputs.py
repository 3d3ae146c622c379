"""Editor text that has broken feeds elsewhere, shared by the feed tests."""

from __future__ import annotations

from django.db import connection

HOSTILE_TITLE = 'R&D <API> "down" ]]> ünïcode 🚨'

# PostgreSQL stores no NUL in text columns, so there the body carries the
# vertical tab alone; tests/statuscms/test_feeds.py feeds a NUL to the
# feed without the database as well.
NUL = "\x00" if connection.vendor == "sqlite" else ""
HOSTILE_BODY = f"Investigating\x0b the API{NUL} & <b>cache</b> ]]> now"

CANONICAL_URL = "https://status.acme.test/"
