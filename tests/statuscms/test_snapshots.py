"""Snapshots of public pages: the builder, the store, the files and the
ASGI fast path that serves them."""

from __future__ import annotations

import gzip
import os
import socket
from pathlib import Path

import brotli
import pytest
from django.db import connection
from django.test import Client

from statuscms.languages import SHIPPED_LANGUAGES
from statuscms.snapshots import SNAPSHOT_PATHS, snapshot_changed
from statuscms.snapshots.builder import SnapshotBuilder
from statuscms.snapshots.fastpath import SnapshotMiddleware
from statuscms.snapshots.files import MEDIA_TYPES, SnapshotFiles, media_type
from statuscms.snapshots.refresher import Refresher
from statuscms.snapshots.store import Snapshot, SnapshotEntry, SnapshotStore
from statuscore import services
from statuscore.models import OutboxEvent

from .snapshot_helpers import Fallthrough, call

FEED_PATH = "/feed.rss"

# Most tests need only a few paths, and each path costs a rendering.
FEW_PATHS = ["", "feed.rss", "/api/v2/summary.json", "/api/v2/status.json"]


@pytest.fixture
def snapshot_store() -> SnapshotStore:
    return SnapshotStore()


@pytest.fixture
def files(tmp_path) -> SnapshotFiles:
    return SnapshotFiles(tmp_path / "snapshots")


@pytest.fixture
def few_paths(monkeypatch):
    monkeypatch.setattr("statuscms.snapshots.builder.SNAPSHOT_PATHS", FEW_PATHS)


@pytest.fixture
def refresher(status_page, snapshot_store, few_paths) -> Refresher:
    refresher = Refresher(snapshot_store)
    refresher.rebuild_all()
    return refresher


@pytest.fixture
def file_refresher(status_page, snapshot_store, files) -> Refresher:
    """A refresher that writes files, of every path in ``SNAPSHOT_PATHS``."""
    refresher = Refresher(snapshot_store, files=files)
    refresher.rebuild_all()
    return refresher


@pytest.fixture
def django_app() -> Fallthrough:
    return Fallthrough()


@pytest.fixture
def fast_path(refresher, snapshot_store, django_app) -> SnapshotMiddleware:
    return SnapshotMiddleware(django_app, snapshot_store=snapshot_store)


@pytest.fixture
def no_database_or_network(monkeypatch):
    """Fail any database query or outgoing connection, Redis included."""

    def refuse_query(execute, sql, params, many, context):
        raise AssertionError(f"database query during a fast-path read: {sql}")

    def refuse_connect(*args, **kwargs):
        raise AssertionError("network connection during a fast-path read")

    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    monkeypatch.setattr(socket, "create_connection", refuse_connect)
    with connection.execute_wrapper(refuse_query):
        yield


def fast_path_paths() -> list[str]:
    paths = ["/", "/api/v2/summary.json"]
    if FEED_PATH.lstrip("/") in SNAPSHOT_PATHS:
        paths.append(FEED_PATH)
    return paths


@pytest.mark.parametrize("path", fast_path_paths())
def test_fast_path_reads_no_database_or_network(
    fast_path, django_app, snapshot_store, no_database_or_network, path
):
    answer = call(fast_path, path)

    assert answer.status == 200
    assert answer.body == snapshot_store.get("localhost", path).default.body
    assert django_app.calls == []


def test_fast_path_covers_a_feed():
    assert FEED_PATH.lstrip("/") in SNAPSHOT_PATHS, "no feed is snapshotted yet"


def test_fast_path_body_is_what_django_serves(fast_path, client):
    django_body = client.get("/", HTTP_HOST="localhost").content

    assert call(fast_path, "/").body == django_body


def test_fast_path_sends_cache_headers(fast_path, settings):
    answer = call(fast_path, "/api/v2/summary.json")

    assert answer.headers["cache-control"] == settings.STATUS_SNAPSHOT_CACHE_CONTROL
    assert answer.headers["etag"].startswith('"')
    assert answer.headers["last-modified"].endswith(" GMT")
    assert answer.headers["content-length"] == str(len(answer.body))
    assert answer.headers["access-control-allow-origin"] == "*"


def test_if_none_match_gets_304(fast_path):
    etag = call(fast_path, "/").headers["etag"]

    answer = call(fast_path, "/", headers={"If-None-Match": etag})

    assert answer.status == 304
    assert answer.body == b""
    assert answer.headers["etag"] == etag


def test_if_none_match_with_other_etag_gets_200(fast_path):
    answer = call(fast_path, "/", headers={"If-None-Match": '"other"'})

    assert answer.status == 200


def test_if_modified_since_gets_304(fast_path):
    last_modified = call(fast_path, "/").headers["last-modified"]

    answer = call(fast_path, "/", headers={"If-Modified-Since": last_modified})

    assert answer.status == 304


def test_future_if_modified_since_is_ignored(fast_path):
    answer = call(
        fast_path, "/", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    )

    assert answer.status == 200
    assert answer.body != b""


def test_head_gets_headers_without_body(fast_path):
    get = call(fast_path, "/")

    head = call(fast_path, "/", method="HEAD")

    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(get.body))
    assert head.headers["etag"] == get.headers["etag"]


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("POST", "/", ""),
        ("GET", "/", "subscribed=email"),
        ("GET", "/api/v2/summary.json", "page=acme&extra=1"),
        ("GET", "/admin/", ""),
    ],
)
def test_other_requests_fall_through(fast_path, django_app, method, path, query):
    answer = call(fast_path, path, method=method, query=query)

    assert answer.status == 299
    assert django_app.calls == [path]


def test_page_query_is_served_on_main_domain(fast_path, django_app):
    answer = call(fast_path, "/api/v2/summary.json", query="page=acme")

    assert answer.status == 200
    assert b'"Acme Status"' in answer.body


def test_custom_domain_is_served(fast_path, django_app):
    answer = call(fast_path, "/api/v2/status.json", host="Status.Acme.Test.")

    assert answer.status == 200
    assert django_app.calls == []


def test_custom_domain_outside_allowed_hosts_is_served(
    settings, refresher, snapshot_store, django_app
):
    settings.STATUSCORE_ALLOWED_HOSTS = ["localhost"]
    app = SnapshotMiddleware(django_app, snapshot_store=snapshot_store)

    answer = call(app, "/", host="status.acme.test")

    assert answer.status == 200


def test_forwarded_host_ignored_from_untrusted_peer(fast_path, django_app):
    answer = call(
        fast_path, "/", host="unknown.test", headers={"X-Forwarded-Host": "localhost"}
    )

    assert answer.status == 299


def test_forwarded_host_used_from_trusted_proxy(
    settings, refresher, snapshot_store, django_app
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    app = SnapshotMiddleware(django_app, snapshot_store=snapshot_store)

    answer = call(
        app,
        "/",
        host="backend:8000",
        client="10.1.2.3",
        headers={"X-Forwarded-Host": "localhost"},
    )

    assert answer.status == 200


def test_main_site_path_is_served(fast_path, django_app):
    answer = call(fast_path, "/pages/acme/")

    assert answer.status == 200
    assert django_app.calls == []


def test_unknown_host_falls_through_to_400(settings, refresher, snapshot_store):
    from django.core.handlers.asgi import ASGIHandler

    settings.STATUSCORE_ALLOWED_HOSTS = ["localhost"]
    app = SnapshotMiddleware(ASGIHandler(), snapshot_store=snapshot_store)

    answer = call(app, "/", host="evil.test")

    assert answer.status == 400


def test_new_language_is_learned_and_built(fast_path, refresher):
    headers = {"Accept-Language": "fr-CA, de;q=0.5"}
    first = call(fast_path, "/", headers=headers)
    refresher.poll()

    second = call(fast_path, "/", headers=headers)

    assert first.status == 299
    assert second.status == 200
    assert second.headers["content-language"] == "fr"
    assert "Accept-Language" in second.headers["vary"]


def test_page_language_needs_no_variant(fast_path):
    answer = call(fast_path, "/", headers={"Accept-Language": "en-GB, de;q=0.5"})

    assert answer.status == 200
    assert answer.headers["content-language"] == "en"


def test_language_variant_is_what_django_serves(fast_path, refresher, client):
    header = "es;q=0.9, de;q=0.4"
    call(fast_path, "/", headers={"Accept-Language": header})
    refresher.poll()
    django_body = client.get(
        "/", HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=header
    ).content

    assert call(fast_path, "/", headers={"Accept-Language": header}).body == django_body


def test_missed_host_is_learned_and_built(fast_path, refresher, django_app):
    first = call(fast_path, "/", host="localhost:8000")
    refresher.poll()

    second = call(fast_path, "/", host="localhost:8000")

    assert first.status == 299
    assert second.status == 200


def test_incident_rebuilds_page_on_poll(refresher, snapshot_store, page):
    before = snapshot_store.get("localhost", "/api/v2/summary.json").default.etag
    services.create_incident(page, "Database down", body="Looking into it.")

    rebuilt = refresher.poll()

    after = snapshot_store.get("localhost", "/api/v2/summary.json")
    assert rebuilt == {page.pk}
    assert after.default.etag != before
    assert b"Database down" in after.default.body


def test_unchanged_page_keeps_etag_and_last_modified(refresher, snapshot_store, page):
    before = snapshot_store.get("localhost", "/").default

    refresher.rebuild_page(page.pk)

    after = snapshot_store.get("localhost", "/").default
    assert after.etag == before.etag
    assert after.last_modified == before.last_modified


def test_snapshot_changed_is_sent_with_new_version(refresher, snapshot_store, page):
    received = []

    def receiver(sender, core_page_id, version, **kwargs):
        received.append((core_page_id, version))

    snapshot_changed.connect(receiver)
    try:
        services.create_incident(page, "Database down", body="Looking into it.")
        refresher.poll()
    finally:
        snapshot_changed.disconnect(receiver)

    version = snapshot_store.get("localhost", "/").default.etag
    assert received == [(page.pk, version)]


def test_failed_render_keeps_old_snapshot(refresher, snapshot_store, page, monkeypatch):
    before = snapshot_store.get("localhost", "/").default
    services.create_incident(page, "Database down", body="Looking into it.")

    def broken(self, host, path, accept_language=None):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(SnapshotBuilder, "request", broken)
    refresher.poll()

    assert snapshot_store.get("localhost", "/").default is before


def test_publish_writes_page_updated_event(status_page, page):
    status_page.intro = "Fresh words"
    status_page.save_revision().publish()

    event = OutboxEvent.objects.filter(kind="page.updated").last()
    assert event.page_id == page.pk
    assert event.payload["reason"] == "published"


def test_publish_rebuilds_the_page(refresher, snapshot_store, status_page):
    status_page.intro = "Fresh words from the editor"
    status_page.save_revision().publish()

    refresher.poll()

    assert (
        b"Fresh words from the editor"
        in snapshot_store.get("localhost", "/").default.body
    )


def test_private_page_gets_no_snapshot_or_files(
    status_page, page, snapshot_store, files, few_paths
):
    services.update_page(page, access="members")

    Refresher(snapshot_store, files=files).rebuild_all()

    assert snapshot_store.page_ids() == set()
    assert list(files.root.rglob("*.html")) == []
    assert list(files.root.rglob("*.json")) == []


def test_page_made_private_loses_snapshot_and_files(
    file_refresher, snapshot_store, files, page
):
    assert (files.root / "localhost" / "index.html").exists()

    services.update_page(page, access="members")
    file_refresher.poll()

    assert snapshot_store.get("localhost", "/") is None
    assert not (files.root / "localhost" / "index.html").exists()
    assert not (files.root / "status.acme.test" / "api/v2/summary.json").exists()


def test_deleted_page_loses_files(file_refresher, files, status_page, page):
    status_page.delete()
    page.delete()

    file_refresher.rebuild_all()

    assert list(files.root.rglob("*.html")) == []
    assert list(files.root.rglob("*.json")) == []


def _written_files(files: SnapshotFiles) -> list[Path]:
    return [
        path
        for path in files.root.rglob("*")
        if path.is_file()
        and ".pages" not in path.parts
        and path.suffix not in (".gz", ".br")
    ]


def _request_for(relative: Path) -> tuple[str, str, str | None]:
    """Return the host, path and language that a snapshot file stands for."""
    host, *parts = relative.parts
    language = None
    query = ""
    if parts[:1] == [".lang"]:
        language, parts = parts[1], parts[2:]
    if parts[:1] == [".page"]:
        query, parts = f"?page={parts[1]}", parts[2:]
    path = "/" + "/".join(parts)
    if path.endswith("/index.html"):
        path = path.removesuffix("index.html")
    return host, path + query, language


def test_files_match_what_django_serves(file_refresher, files):
    written = _written_files(files)
    assert len(written) > 10

    client = Client()
    for file in written:
        host, path, language = _request_for(file.relative_to(files.root))
        headers = {"HTTP_HOST": host}
        if language:
            headers["HTTP_ACCEPT_LANGUAGE"] = language
        response = client.get(path, **headers)

        assert response.status_code == 200, path
        assert file.read_bytes() == response.content, (host, path, language)
        assert MEDIA_TYPES[file.suffix] == media_type(response["Content-Type"]), path


def test_files_cover_every_snapshot(file_refresher, files):
    written = {
        _request_for(file.relative_to(files.root)) for file in _written_files(files)
    }

    for path in ["/", "/api/v2/summary.json", "/api/v2/uptime.json"]:
        assert ("status.acme.test", path, None) in written
    assert ("localhost", "/api/v2/summary.json?page=acme", None) in written
    assert ("localhost", "/", "de") in written


def test_language_folders_contain_every_file(file_refresher, files):
    defaults = [
        file
        for file in _written_files(files)
        if ".lang" not in file.relative_to(files.root).parts
    ]
    assert len(defaults) > 10

    for file in defaults:
        host, *rest = file.relative_to(files.root).parts
        for code in SHIPPED_LANGUAGES:
            copy = files.root.joinpath(host, ".lang", code, *rest)
            assert copy.is_file(), copy


def test_default_language_folder_contains_default(file_refresher, files):
    default = files.root / "localhost" / "index.html"
    english = files.root / "localhost" / ".lang" / "en" / "index.html"

    assert english.read_bytes() == default.read_bytes()


def test_language_folder_json_is_default(file_refresher, files):
    default = files.root / "localhost" / "api" / "v2" / "summary.json"
    german = files.root / "localhost" / ".lang" / "de" / "api" / "v2" / "summary.json"

    assert german.read_bytes() == default.read_bytes()


def test_language_without_variant_gets_no_file(tmp_path):
    snapshot = Snapshot(b"<p>page</p>", "text/html; charset=utf-8", '"v1"', 0.0, ())
    german = Snapshot(b"<p>Seite</p>", "text/html; charset=utf-8", '"v2"', 0.0, ())
    entry = SnapshotEntry(1, snapshot, {"de": german}, "en", varies=True)
    files = SnapshotFiles(tmp_path, languages=["en", "de", "fr"])

    files.write_page(1, {"status.acme.test": {"/": entry}})

    folder = tmp_path / "status.acme.test" / ".lang"
    assert (folder / "en" / "index.html").read_bytes() == b"<p>page</p>"
    assert (folder / "de" / "index.html").read_bytes() == b"<p>Seite</p>"
    assert not (folder / "fr").exists()


def test_files_are_replaced_atomically(
    status_page, snapshot_store, files, few_paths, monkeypatch
):
    synced = []
    replaced = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor):
        synced.append(descriptor)
        real_fsync(descriptor)

    def replace(source, target):
        replaced.append((Path(source), Path(target), bool(synced)))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    Refresher(snapshot_store, files=files).rebuild_all()

    index = files.root / "localhost" / "index.html"
    source, target, was_synced = next(r for r in replaced if r[1] == index)
    assert source.parent == target.parent
    assert source != target
    assert was_synced
    assert list(files.root.rglob("*.part")) == []


def test_first_request_starts_refresher_once(snapshot_store, django_app):
    started = []
    app = SnapshotMiddleware(
        django_app,
        snapshot_store=snapshot_store,
        on_first_request=lambda: started.append(True),
    )

    call(app, "/")
    call(app, "/")

    assert started == [True]


def test_project_asgi_app_has_fast_path():
    from statussite.asgi import application

    assert isinstance(application.application_mapping["http"], SnapshotMiddleware)


def test_scheme_other_than_snapshots_falls_through(fast_path, django_app):
    answer = call(fast_path, "/", scheme="https")

    assert answer.status == 299


def test_gzip_answer_decompresses_to_the_plain_body(fast_path):
    plain = call(fast_path, "/")

    answer = call(fast_path, "/", headers={"Accept-Encoding": "gzip, deflate"})

    assert answer.headers["content-encoding"] == "gzip"
    assert gzip.decompress(answer.body) == plain.body
    assert answer.headers["content-length"] == str(len(answer.body))


def test_brotli_answer_decompresses_to_the_plain_body(fast_path):
    plain = call(fast_path, "/")

    answer = call(fast_path, "/", headers={"Accept-Encoding": "gzip, br"})

    assert answer.headers["content-encoding"] == "br"
    assert brotli.decompress(answer.body) == plain.body


def test_no_accept_encoding_gets_the_plain_body(fast_path, client):
    answer = call(fast_path, "/")

    assert "content-encoding" not in answer.headers
    assert answer.body == client.get("/", HTTP_HOST="localhost").content


@pytest.mark.parametrize("accept", ["gzip;q=0", "identity", "br;q=0, gzip;q=0"])
def test_refused_codings_get_the_plain_body(fast_path, accept):
    answer = call(fast_path, "/", headers={"Accept-Encoding": accept})

    assert "content-encoding" not in answer.headers


def test_compressed_answers_vary_by_accept_encoding(fast_path):
    plain = call(fast_path, "/")
    answer = call(fast_path, "/", headers={"Accept-Encoding": "gzip"})

    for headers in (plain.headers, answer.headers):
        vary = [item.strip().lower() for item in headers["vary"].split(",")]
        assert "accept-encoding" in vary
        assert "accept-language" in vary


def test_each_encoding_has_its_own_etag(fast_path):
    plain = call(fast_path, "/").headers["etag"]
    gzipped = call(fast_path, "/", headers={"Accept-Encoding": "gzip"})

    assert gzipped.headers["etag"] != plain
    assert gzipped.headers["etag"].endswith('-gz"')


def test_if_none_match_with_gzip_etag_gets_304(fast_path):
    accept = {"Accept-Encoding": "gzip"}
    etag = call(fast_path, "/", headers=accept).headers["etag"]

    answer = call(fast_path, "/", headers={**accept, "If-None-Match": etag})

    assert answer.status == 304
    assert answer.body == b""
    assert answer.headers["etag"] == etag


def test_plain_etag_does_not_match_the_gzip_copy(fast_path):
    etag = call(fast_path, "/").headers["etag"]

    answer = call(
        fast_path, "/", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )

    assert answer.status == 200


def test_head_gzip_headers_without_body(fast_path):
    accept = {"Accept-Encoding": "gzip"}
    get = call(fast_path, "/", headers=accept)

    head = call(fast_path, "/", method="HEAD", headers=accept)

    assert head.body == b""
    assert head.headers["content-encoding"] == "gzip"
    assert head.headers["content-length"] == get.headers["content-length"]


def test_compressed_files_match_their_plain_file(file_refresher, files):
    index = files.root / "localhost" / "index.html"

    assert gzip.decompress(index.with_name("index.html.gz").read_bytes()) == (
        index.read_bytes()
    )
    assert brotli.decompress(index.with_name("index.html.br").read_bytes()) == (
        index.read_bytes()
    )


def test_every_gzip_file_matches_its_plain_file(file_refresher, files):
    copies = list(files.root.rglob("*.gz"))
    assert copies

    for copy in copies:
        plain = copy.with_suffix("")
        assert gzip.decompress(copy.read_bytes()) == plain.read_bytes(), copy


def test_announced_before_other_paths(refresher, snapshot_store, page, monkeypatch):
    rendered = []
    real_request = SnapshotBuilder.request

    def request(self, host, path, accept_language=None):
        rendered.append(path)
        return real_request(self, host, path, accept_language)

    monkeypatch.setattr(SnapshotBuilder, "request", request)
    seen = []

    def receiver(sender, core_page_id, version, **kwargs):
        seen.append((set(rendered), snapshot_store.get("localhost", "/").default))

    snapshot_changed.connect(receiver)
    try:
        services.create_incident(page, "Database down", body="Looking into it.")
        refresher.poll()
    finally:
        snapshot_changed.disconnect(receiver)

    paths_then, main_then = seen[0]
    assert paths_then == {"/"}
    assert b"Database down" in main_then.body
    assert "/feed.rss" in rendered


def test_component_pages_are_left_to_django():
    assert not any("{component_id}" in path for path in SNAPSHOT_PATHS)
