"""Body decoding of the HTTP checker: compression, size limit, charsets."""

from __future__ import annotations

import asyncio
import codecs
import functools
import gzip
import time
import zlib

import brotli
import httpx
import pytest
import zstandard

from plugins.http import body as body_module
from plugins.http.body import (
    BodyError,
    BodyTooLarge,
    choose_charset,
    decode_content,
    supported_encodings,
)
from statuscore.checkers import Outcome
from statuscore.exceptions import ValidationFailed
from statuscore.monitor.runner import run_checker
from statuscore.services.checks import validate_check_config
from tests.plugins.servers import http_server

HTML = [("Content-Type", "text/html")]


def run_http(config: dict, timeout: float = 5.0) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client:
            return await run_checker(1, "http", config, timeout, client)

    return asyncio.run(run())


def check_keyword(
    body: bytes, headers: list[tuple[str, str]], keyword: str, **options
) -> Outcome:
    with http_server({"/page": (200, headers, body)}) as url:
        return run_http({"url": f"{url}/page", "keyword": keyword, **options})


def zeros_gzip(size: int) -> bytes:
    """Gzip ``size`` zero bytes without holding them in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + compressor.flush()


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "encoded"),
    [
        ("gzip", gzip.compress(b"hello KEYWORD")),
        ("deflate", zlib.compress(b"hello KEYWORD")),
        ("deflate", raw_deflate(b"hello KEYWORD")),
        ("br", brotli.compress(b"hello KEYWORD")),
        ("zstd", zstandard.ZstdCompressor().compress(b"hello KEYWORD")),
        ("identity", b"hello KEYWORD"),
    ],
    ids=["gzip", "zlib-deflate", "raw-deflate", "br", "zstd", "identity"],
)
def test_encoded_body_found(encoding, encoded):
    outcome = check_keyword(encoded, [("Content-Encoding", encoding)], "KEYWORD")

    assert outcome.status == "up"
    assert outcome.reason == ""


def test_gzip_declared_plain_body_down():
    outcome = check_keyword(b"hello KEYWORD", [("Content-Encoding", "gzip")], "hello")

    assert outcome.status == "down"
    assert outcome.reason == "declared gzip but body is not gzip"


def test_gzip_declared_plain_body_status_only_down():
    with http_server({"/page": (200, [("Content-Encoding", "gzip")], b"plain")}) as url:
        outcome = run_http({"url": f"{url}/page"})

    assert outcome.status == "down"
    assert outcome.reason == "declared gzip but body is not gzip"


def test_unknown_encoding_down():
    outcome = check_keyword(b"x", [("Content-Encoding", "compress")], "x")

    assert outcome.status == "down"
    assert outcome.reason == "unsupported Content-Encoding 'compress'"


def test_gzip_bomb_bounded():
    bomb = zeros_gzip(64 * 1024 * 1024)
    started = time.perf_counter()
    outcome = check_keyword(
        bomb, [("Content-Encoding", "gzip")], "x", max_body_bytes=1024 * 1024
    )
    duration = time.perf_counter() - started

    assert len(bomb) < 200 * 1024
    assert outcome.status == "down"
    assert outcome.reason == "body too large: more than 1048576 bytes"
    assert duration < 3.0


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", functools.partial(brotli.compress, quality=1)),
        ("zstd", zstandard.ZstdCompressor().compress),
    ],
    ids=["gzip", "deflate", "br", "zstd"],
)
def test_decoder_stops_at_limit(encoding, compress):
    data = compress(bytes(10 * 1024 * 1024))

    with pytest.raises(BodyTooLarge):
        decode_content(data, encoding, 1024 * 1024)


def test_limit_allows_exact_size():
    data = gzip.compress(b"a" * 4096)

    assert decode_content(data, "gzip", 4096) == b"a" * 4096


def test_multi_member_gzip_joined():
    data = gzip.compress(b"hello ") + gzip.compress(b"world")

    assert decode_content(data, "gzip", 1024) == b"hello world"


def test_corrupt_deflate_named():
    with pytest.raises(BodyError) as caught:
        decode_content(b"\x00\xffnot deflate at all", "deflate", 1024)

    assert caught.value.reason.startswith("invalid deflate body")


def test_large_content_length_rejected_unread():
    headers = [("Content-Length", str(50 * 1024 * 1024))]
    with http_server({"/big": (200, headers, b"short")}) as url:
        outcome = run_http({"url": f"{url}/big", "max_body_bytes": 1024})

    assert outcome.status == "down"
    assert outcome.reason == "body too large: more than 1024 bytes"


def test_large_plain_body_down():
    with http_server({"/big": (200, HTML, b"x" * 5000)}) as url:
        outcome = run_http({"url": f"{url}/big", "max_body_bytes": 4096})

    assert outcome.status == "down"
    assert outcome.reason == "body too large: more than 4096 bytes"


def test_accept_encoding_lists_supported():
    with http_server() as url:
        outcome = run_http(
            {"url": f"{url}/echo", "keyword": '"accept-encoding": "gzip, deflate, br'}
        )

    assert outcome.status == "up"


def test_supported_encodings_installed():
    assert supported_encodings() == ("gzip", "deflate", "br", "zstd")


def test_missing_codec_not_advertised(monkeypatch):
    monkeypatch.setattr(body_module, "supported_encodings", lambda: ("gzip", "deflate"))
    monkeypatch.setattr(
        "plugins.http.checker.supported_encodings", lambda: ("gzip", "deflate")
    )
    with http_server() as url:
        outcome = run_http({"url": f"{url}/echo", "keyword": "br"})

    assert outcome.status == "down"
    assert outcome.reason == "keyword 'br' not found"


def test_missing_codec_body_down(monkeypatch):
    monkeypatch.setattr(body_module, "supported_encodings", lambda: ("gzip", "deflate"))

    outcome = check_keyword(
        brotli.compress(b"hello KEYWORD"), [("Content-Encoding", "br")], "KEYWORD"
    )

    assert outcome.status == "down"
    assert outcome.reason == "unsupported Content-Encoding 'br'"


def test_missing_codec_rejected_at_save(monkeypatch):
    monkeypatch.setattr(
        "plugins.http.config.supported_encodings", lambda: ("gzip", "deflate")
    )

    with pytest.raises(ValidationFailed) as caught:
        validate_check_config(
            "http",
            {"url": "http://127.0.0.1/", "headers": {"Accept-Encoding": "br, gzip"}},
        )

    assert list(caught.value.errors) == ["config.headers"]
    assert "'br'" in caught.value.errors["config.headers"][0]


def test_supported_accept_encoding_saved():
    config = validate_check_config(
        "http",
        {"url": "http://127.0.0.1/", "headers": {"Accept-Encoding": "zstd;q=1, br"}},
    )

    assert config["headers"] == {"Accept-Encoding": "zstd;q=1, br"}


PAGE = "<html><body>服务监控 正常</body></html>"


@pytest.mark.parametrize(
    ("body", "headers", "keyword"),
    [
        (PAGE.encode("gbk"), [("Content-Type", "text/html; charset=GBK")], "监控"),
        (
            ('<html><head><meta charset="gb2312"></head><body>服务监控</body>').encode(
                "gb2312"
            ),
            HTML,
            "监控",
        ),
        (
            (
                '<meta http-equiv="Content-Type" content="text/html; '
                'charset=gb2312"><p>服务监控</p>'
            ).encode("gb2312"),
            HTML,
            "监控",
        ),
        (
            "<p>Café</p>".encode("iso-8859-1"),
            [("Content-Type", "text/html; charset=ISO-8859-1")],
            "Café",
        ),
        (codecs.BOM_UTF8 + "<p>Café</p>".encode(), HTML, "Café"),
        (codecs.BOM_UTF16_LE + "<p>Café</p>".encode("utf-16-le"), HTML, "Café"),
        ("<p>Café</p>".encode(), HTML, "Cafe\u0301"),
        ("<p>Cafe\u0301</p>".encode(), HTML, "Café"),
        (PAGE.encode("utf-8"), [("Content-Type", "text/plain")], "监控"),
    ],
    ids=[
        "header-gbk",
        "meta-charset",
        "meta-http-equiv",
        "latin-1",
        "utf8-bom",
        "utf16-bom",
        "nfd-keyword",
        "nfd-page",
        "sniffed-utf8",
    ],
)
def test_keyword_found_in_charset(body, headers, keyword):
    outcome = check_keyword(body, headers, keyword)

    assert outcome.status == "up"
    assert outcome.reason == ""


def test_sniffed_gbk_without_label():
    body = ("<p>" + "服务监控运行正常，所有系统工作良好。" * 20 + "</p>").encode("gbk")

    outcome = check_keyword(body, HTML, "监控")

    assert outcome.status == "up"


def test_case_insensitive_casefold():
    outcome = check_keyword(
        "<p>Straße</p>".encode(), HTML, "STRASSE", keyword_case_sensitive=False
    )

    assert outcome.status == "up"


def test_case_sensitive_by_default():
    outcome = check_keyword("<p>Straße</p>".encode(), HTML, "STRASSE")

    assert outcome.status == "down"
    assert outcome.reason == "keyword 'STRASSE' not found"


def test_keyword_absent_mode():
    found = check_keyword(b"<p>error</p>", HTML, "ERROR", keyword_mode="absent")
    missing = check_keyword(b"<p>fine</p>", HTML, "error", keyword_mode="absent")

    assert found.status == "up"
    assert missing.status == "up"


def test_keyword_absent_mode_fails_when_present():
    outcome = check_keyword(b"<p>error</p>", HTML, "error", keyword_mode="absent")

    assert outcome.status == "down"
    assert outcome.reason == "keyword 'error' found"


def test_undecodable_bytes_replaced():
    body = b"<p>ok \xff\xfe\xfd MARKER</p>"

    outcome = check_keyword(
        body, [("Content-Type", "text/html; charset=utf-8")], "MARKER"
    )

    assert outcome.status == "up"
    assert outcome.details["charset"] == "utf-8"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (codecs.BOM_UTF8 + b"x", "text/html; charset=gbk", ("gb18030", "header")),
        (codecs.BOM_UTF8 + b"x", "text/html", ("utf-8", "bom")),
        (b'<meta charset="latin1">', "text/html", ("cp1252", "meta")),
        (b"plain", None, ("utf-8", "detected")),
        (b"x", "text/html; charset=no-such-codec", ("utf-8", "detected")),
    ],
)
def test_charset_order(body, content_type, expected):
    assert choose_charset(body, content_type) == expected
