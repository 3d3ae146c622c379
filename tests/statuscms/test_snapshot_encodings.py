"""The choice of a content coding from ``Accept-Encoding``."""

from __future__ import annotations

import gzip

import pytest

from statuscms.snapshots.encodings import choose_encoding, compress, encoded_etag

BOTH = ("br", "gzip")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, None),
        ("", None),
        ("gzip", "gzip"),
        ("GZIP", "gzip"),
        ("x-gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("gzip;q=0", None),
        ("br;q=0, gzip;q=0", None),
        ("identity", None),
        ("deflate", None),
        ("*", "br"),
        ("*, br;q=0", "gzip"),
        ("gzip;q=0.5, identity", None),
        ("gzip;q=oops", None),
        ("gzip;q=2", None),
    ],
)
def test_choose_encoding_follows_q_values(accept, expected):
    assert choose_encoding(accept, BOTH) == expected


def test_choose_encoding_picks_only_available_codings():
    assert choose_encoding("br", ("gzip",)) is None


def test_compress_skips_short_bodies():
    assert compress(b"short", "text/html") == {}


def test_compress_skips_other_media_types():
    assert compress(b"x" * 10_000, "image/png") == {}


def test_compress_gzip_round_trips():
    body = b"<li>day</li>" * 1000

    assert gzip.decompress(compress(body, "text/html")["gzip"]) == body


@pytest.mark.parametrize(
    ("etag", "expected"),
    [('"abc"', '"abc-gz"'), ('W/"abc"', 'W/"abc-gz"')],
)
def test_encoded_etag_adds_a_suffix_inside_the_quotes(etag, expected):
    assert encoded_etag(etag, "gzip") == expected
