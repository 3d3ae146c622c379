"""Read a response body within a size limit, decompress it and decode its text.

Decompression is done here rather than by httpx. The limit then applies to
the decompressed size, so a small compressed body cannot expand into
gigabytes. ``Content-Encoding: deflate`` with a raw DEFLATE stream (no zlib
header) is accepted, as browsers accept it. A body that does not match its
declared coding gets a reason that names the mismatch.
"""

from __future__ import annotations

import codecs
import importlib.util
import io
import re
import zlib

import charset_normalizer
import httpx

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "BodyError",
    "BodyTooLarge",
    "decode_content",
    "decode_text",
    "read_body",
    "supported_encodings",
]

DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

# Only the start of a document is searched for <meta charset>, as browsers do.
META_PRESCAN_BYTES = 1024

# Labels that browsers decode with a superset codec (WHATWG Encoding
# Standard): pages labelled Latin-1 are in practice windows-1252, and pages
# labelled GB2312 or GBK use characters only GB18030 covers.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)

_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)


class BodyError(Exception):
    """The body cannot be read or decoded; ``reason`` is the message for operators."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class BodyTooLarge(BodyError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"body too large: more than {limit} bytes")


def supported_encodings() -> tuple[str, ...]:
    """Return the content codings this installation can decompress.

    ``br`` needs the ``brotli`` package and ``zstd`` the ``zstandard``
    package. Both are dependencies, but a broken install may lack them, and
    a check must never advertise a coding it cannot decompress.
    """
    encodings = ["gzip", "deflate"]
    if importlib.util.find_spec("brotli") is not None:
        encodings.append("br")
    if importlib.util.find_spec("zstandard") is not None:
        encodings.append("zstd")
    return tuple(encodings)


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """Read the raw body, stopping as soon as it is longer than ``limit``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)

    raw = bytearray()
    async for chunk in response.aiter_raw():
        raw += chunk
        if len(raw) > limit:
            raise BodyTooLarge(limit)
    return bytes(raw)


def decode_content(raw: bytes, content_encoding: str, limit: int) -> bytes:
    """Undo each coding of ``Content-Encoding``, last applied first.

    Raises ``BodyTooLarge`` as soon as the output passes ``limit`` bytes,
    and ``BodyError`` for a coding that is unknown or does not match.
    """
    body = raw
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding in ("gzip", "x-gzip"):
            if not body.startswith(b"\x1f\x8b"):
                raise BodyError("declared gzip but body is not gzip")
            body = _inflate(body, zlib.MAX_WBITS | 16, limit, "gzip")
        elif coding == "deflate":
            body = _inflate_deflate(body, limit)
        elif coding == "br" and "br" in supported_encodings():
            body = _unbrotli(body, limit)
        elif coding == "zstd" and "zstd" in supported_encodings():
            body = _unzstd(body, limit)
        else:
            raise BodyError(f"unsupported Content-Encoding {coding!r}")
    return body


def _inflate(data: bytes, wbits: int, limit: int, name: str) -> bytes:
    """Decompress a zlib, gzip or raw DEFLATE stream into at most ``limit`` bytes.

    ``max_length`` stops zlib from producing more than the limit allows, so
    a bomb costs at most ``limit`` bytes of memory. A gzip body may hold
    several members; each is decompressed in turn.
    """
    output = bytearray()
    decompressor = zlib.decompressobj(wbits)
    pending = data
    try:
        while True:
            chunk = decompressor.decompress(pending, limit + 1 - len(output))
            output += chunk
            if len(output) > limit:
                raise BodyTooLarge(limit)
            pending = decompressor.unconsumed_tail
            if decompressor.eof:
                pending = decompressor.unused_data
                if not pending.strip(b"\0") or wbits & 16 == 0:
                    break
                decompressor = zlib.decompressobj(wbits)
            elif not pending and not chunk:
                # The stream ends early; keep what it held, as browsers do.
                break
    except zlib.error as error:
        raise BodyError(f"invalid {name} body: {error}") from None
    return bytes(output)


def _inflate_deflate(data: bytes, limit: int) -> bytes:
    """Decompress ``deflate``: a zlib stream, or raw DEFLATE as some servers send."""
    try:
        return _inflate(data, zlib.MAX_WBITS, limit, "deflate")
    except BodyTooLarge:
        raise
    except BodyError:
        return _inflate(data, -zlib.MAX_WBITS, limit, "deflate")


def _unbrotli(data: bytes, limit: int) -> bytes:
    import brotli

    output = bytearray()
    decompressor = brotli.Decompressor()
    pending = data
    try:
        while True:
            output += decompressor.process(
                pending, output_buffer_limit=limit + 1 - len(output)
            )
            pending = b""
            if len(output) > limit:
                raise BodyTooLarge(limit)
            if decompressor.is_finished() or decompressor.can_accept_more_data():
                break
    except brotli.error as error:
        raise BodyError(f"invalid br body: {error}") from None
    return bytes(output)


def _unzstd(data: bytes, limit: int) -> bytes:
    import zstandard

    try:
        reader = zstandard.ZstdDecompressor().stream_reader(
            io.BytesIO(data), read_across_frames=True
        )
        output = bytearray()
        while chunk := reader.read(limit + 1 - len(output)):
            output += chunk
            if len(output) > limit:
                raise BodyTooLarge(limit)
    except zstandard.ZstdError as error:
        raise BodyError(f"invalid zstd body: {error}") from None
    return bytes(output)


def _codec(label: str | None) -> str | None:
    """Return the Python codec for a charset label, or None if there is none."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _sniff(body: bytes) -> str:
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body).best()
    return _codec(best.encoding if best else None) or "utf-8"


def choose_charset(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Pick the charset of a text body and name where it came from.

    The order is the ``charset`` parameter of ``Content-Type``, then a byte
    order mark, then ``<meta charset>`` or ``<meta http-equiv>`` in the first
    1024 bytes, then detection (valid UTF-8 first, then charset-normalizer).
    A label Python does not know is skipped. Returns ``(codec, source)``.
    """
    match = _HEADER_CHARSET.search(content_type or "")
    codec = _codec(match.group(1)) if match else None
    if codec:
        return codec, "header"
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return bom_codec, "bom"
    match = _META_CHARSET.search(body[:META_PRESCAN_BYTES])
    codec = _codec(match.group(1).decode("ascii")) if match else None
    if codec:
        return codec, "meta"
    return _sniff(body), "detected"


def decode_text(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode a body to text, replacing undecodable bytes with U+FFFD.

    Returns ``(text, codec)``. A leading byte order mark is dropped.
    """
    codec, _ = choose_charset(body, content_type)
    text = body.decode(codec, errors="replace")
    return text.removeprefix("\ufeff"), codec
