"""Compressed copies of snapshot bodies, and the choice between them.

A snapshot is compressed once, when it is built, so the fast path and the
proxies send a compressed body at no cost per request. Each copy has an
ETag of its own, the plain one with a suffix, because its bytes differ.
"""

from __future__ import annotations

import gzip

import brotli

__all__ = [
    "COMPRESSIBLE_TYPES",
    "ENCODINGS",
    "MIN_COMPRESS_SIZE",
    "choose_encoding",
    "compress",
    "encoded_etag",
]

ENCODINGS = ("br", "gzip")
"""The content codings built, most preferred first."""

FILE_SUFFIXES = {"br": ".br", "gzip": ".gz"}
"""The suffix of each coding's file beside the plain file, as nginx's
``gzip_static`` and Caddy's ``precompressed`` look for them."""

ETAG_SUFFIXES = {"br": "-br", "gzip": "-gz"}

COMPRESSIBLE_TYPES = frozenset(
    {
        "application/atom+xml",
        "application/javascript",
        "application/json",
        "application/rss+xml",
        "application/xml",
        "image/svg+xml",
        "text/calendar",
        "text/css",
        "text/html",
        "text/javascript",
        "text/plain",
    }
)

MIN_COMPRESS_SIZE = 256
"""Bodies shorter than this are sent plain: compression saves too little."""

GZIP_LEVEL = 6
BROTLI_QUALITY = 5
"""A middle quality, so that a rebuild stays short. On the benchmark's main
page (50 components, 592 KB) quality 5 gave 9 KB, gzip 23 KB."""


def compress(body: bytes, media_type: str) -> dict[str, bytes]:
    """Return the compressed copies of ``body`` by coding.

    Returns an empty dictionary for a media type that does not compress,
    or a short body. A copy that is not smaller than the body is left out.
    """
    if media_type not in COMPRESSIBLE_TYPES or len(body) < MIN_COMPRESS_SIZE:
        return {}
    copies = {
        "br": brotli.compress(body, quality=BROTLI_QUALITY),
        "gzip": gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
    }
    return {coding: data for coding, data in copies.items() if len(data) < len(body)}


def encoded_etag(etag: str, coding: str) -> str:
    """Return the ETag of the ``coding`` copy of a body whose ETag is ``etag``."""
    suffix = ETAG_SUFFIXES[coding]
    if etag.endswith('"'):
        return f'{etag[:-1]}{suffix}"'
    return etag + suffix


def _parse(accept_encoding: str) -> dict[str, float]:
    """Return the q-value of each coding named in an ``Accept-Encoding``
    value. A q-value that does not parse counts as 0."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, *params = item.split(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        if coding == "x-gzip":
            coding = "gzip"
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
                if not 0.0 <= quality <= 1.0:
                    quality = 0.0
        weights[coding] = max(quality, weights.get(coding, 0.0))
    return weights


def choose_encoding(
    accept_encoding: str | None, available: tuple[str, ...] | list[str]
) -> str | None:
    """Return the coding of ``available`` to send, or None for the plain body.

    The coding with the highest q-value wins, ``br`` before ``gzip`` at
    equal values. A coding that is not named takes the q-value of ``*``,
    if any. No header, or one that prefers ``identity`` to every coding,
    gets the plain body.
    """
    if not accept_encoding or not available:
        return None
    weights = _parse(accept_encoding)
    star = weights.get("*", 0.0)
    best, best_quality = None, 0.0
    for coding in ENCODINGS:
        if coding not in available:
            continue
        quality = weights.get(coding, star)
        if quality > best_quality:
            best, best_quality = coding, quality
    if best is None:
        return None
    identity = weights.get("identity")
    if identity is not None and identity > best_quality:
        return None
    return best
