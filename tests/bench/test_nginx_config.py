"""deploy/nginx.conf, run in a real nginx in front of a stand-in app.

The stand-in app answers every request with ``app <method> <path>`` and
records the headers nginx sent it, so each test can tell whether a request
was served from a snapshot file or passed to the app.
"""

from __future__ import annotations

import gzip
import http.client
import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from bench.nginx import render_deploy_config, start_nginx
from bench.servers import free_port

HOST = "status.example.test"

# Laid out as statuscms.snapshots.files writes them: every language folder
# contains a copy of each file, its variant where it has one. French has no
# files, as when its render failed.
FILES = {
    f"{HOST}/index.html": "<p>default page</p>",
    f"{HOST}/.lang/en/index.html": "<p>default page</p>",
    f"{HOST}/.lang/de/index.html": "<p>deutsche Seite</p>",
    f"{HOST}/api/v2/summary.json": '{"page": "by host"}',
    f"{HOST}/.lang/de/api/v2/summary.json": '{"page": "by host"}',
    f"{HOST}/.page/acme/api/v2/summary.json": '{"page": "acme"}',
    f"{HOST}/.lang/de/.page/acme/api/v2/summary.json": '{"page": "acme"}',
    f"{HOST}/embed/index.html": "<p>embedded</p>",
    f"{HOST}/feed.rss": "<rss/>",
    f"{HOST}/maintenances.ics": "BEGIN:VCALENDAR",
    f"{HOST}/admin/index.html": "a snapshot file the admin must never get",
    ".pages/1.json": '["a list the app keeps for itself"]',
}


class AppHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests: list[dict] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        AppHandler.requests.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        body = f"app {self.command} {self.path}".encode()
        self.send_response(200)
        # Echoed so a test can make the app send a long header, as the
        # app's redirect to a long path does.
        self.send_header("X-App-Path", self.path)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_PUT = _answer

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture(scope="module")
def nginx_port(tmp_path_factory):
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is missing: install Debian's nginx-light (make test does).")

    folder = tmp_path_factory.mktemp("nginx")
    folder.chmod(0o755)
    root = folder / "snapshots"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    # The copy the app writes beside the page's file for gzip_static.
    page = root / HOST / "index.html"
    page.with_name("index.html.gz").write_bytes(gzip.compress(page.read_bytes()))

    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AppHandler)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    port = free_port()
    config = render_deploy_config(
        port=port, app_port=app.server_address[1], snapshot_root=root
    )
    with start_nginx(folder / "nginx", config):
        yield port
    app.shutdown()
    app.server_close()


def request(port, method, path, headers=None, host=HOST, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request(
        method, path, body=body, headers={"Host": host, **(headers or {})}
    )
    response = connection.getresponse()
    content = response.read().decode()
    connection.close()
    return response, content


def test_page_served_from_file(nginx_port):
    response, body = request(nginx_port, "GET", "/")

    assert response.status == 200
    assert body == "<p>default page</p>"
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"


def test_file_sent_with_app_headers(nginx_port):
    response, _ = request(nginx_port, "GET", "/")

    assert response.getheader("Cache-Control").startswith("public, max-age=10")
    assert response.getheader("Vary") == "Accept-Language, Accept-Encoding"
    assert "script-src 'self'" in response.getheader("Content-Security-Policy")


def test_language_variant_chosen_by_accept_language(nginx_port):
    _, body = request(nginx_port, "GET", "/", {"Accept-Language": "de-DE,de;q=0.9"})

    assert body == "<p>deutsche Seite</p>"


def test_language_without_files_reaches_app(nginx_port):
    _, body = request(nginx_port, "GET", "/", {"Accept-Language": "fr"})

    assert body == "app GET /"


def test_language_not_shipped_gets_default_file(nginx_port):
    _, body = request(nginx_port, "GET", "/", {"Accept-Language": "ja, de;q=0.8"})

    assert body == "<p>default page</p>"


def test_folder_index_served_from_file(nginx_port):
    _, body = request(nginx_port, "GET", "/embed/")

    assert body == "<p>embedded</p>"


def test_folder_without_trailing_slash_redirected_once(nginx_port):
    response, _ = request(nginx_port, "GET", "/embed")

    assert response.status == 301
    assert response.headers.get_all("Location") == ["/embed/"]


def test_dot_host_gets_no_files(nginx_port):
    response, body = request(nginx_port, "GET", "/1.json", host=".pages")

    assert response.status == 200
    assert body == "app GET /1.json"


def test_client_forwarded_host_not_passed_to_app(nginx_port):
    request(nginx_port, "GET", "/incidents/10/", {"X-Forwarded-Host": "evil.test"})

    assert "x-forwarded-host" not in AppHandler.requests[-1]["headers"]


def test_long_header_from_app_passed_through(nginx_port):
    path = "/" + "a" * 6000

    response, body = request(nginx_port, "GET", path)

    assert response.status == 200
    assert response.getheader("X-App-Path") == path


def test_folder_without_index_reaches_app(nginx_port):
    response, body = request(nginx_port, "GET", "/api/v2/")

    assert response.status == 200
    assert body == "app GET /api/v2/"


def test_json_without_variant_served_for_any_language(nginx_port):
    response, body = request(
        nginx_port, "GET", "/api/v2/summary.json", {"Accept-Language": "de"}
    )

    assert json.loads(body) == {"page": "by host"}
    assert response.getheader("Content-Type") == "application/json; charset=utf-8"


def test_json_file_open_to_other_sites(nginx_port):
    response, _ = request(nginx_port, "GET", "/api/v2/summary.json")

    assert response.getheader("Access-Control-Allow-Origin") == "*"


def test_page_file_not_open_to_other_sites(nginx_port):
    response, _ = request(nginx_port, "GET", "/")

    assert response.getheader("Access-Control-Allow-Origin") is None


def test_json_of_page_parameter_served_from_file(nginx_port):
    _, body = request(nginx_port, "GET", "/api/v2/summary.json?page=acme")

    assert json.loads(body) == {"page": "acme"}


def test_page_parameter_json_in_language_folder(nginx_port):
    _, body = request(
        nginx_port, "GET", "/api/v2/summary.json?page=acme", {"Accept-Language": "de"}
    )

    assert json.loads(body) == {"page": "acme"}


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/feed.rss", "application/rss+xml; charset=utf-8"),
        ("/maintenances.ics", "text/calendar; charset=utf-8"),
    ],
)
def test_feed_files_get_their_content_type(nginx_port, path, content_type):
    response, _ = request(nginx_port, "GET", path)

    assert response.getheader("Content-Type") == content_type


def test_head_served_from_file(nginx_port):
    response, body = request(nginx_port, "HEAD", "/")

    assert response.status == 200
    assert body == ""
    assert response.getheader("Content-Length") == str(len(FILES[f"{HOST}/index.html"]))


def test_matching_etag_answered_304(nginx_port):
    first, _ = request(nginx_port, "GET", "/")

    second, _ = request(
        nginx_port, "GET", "/", {"If-None-Match": first.getheader("ETag")}
    )

    assert second.status == 304


@pytest.mark.parametrize(
    ("method", "path", "host"),
    [
        ("POST", "/", HOST),
        ("PUT", "/feed.rss", HOST),
        ("GET", "/?utm_source=mail", HOST),
        ("GET", "/api/v2/summary.json?page=../acme", HOST),
        ("GET", "/api/v2/summary.json?page=acme&x=1", HOST),
        ("GET", "/admin/", HOST),
        ("GET", "/api/v1/pages", HOST),
        ("GET", "/incidents/7/", HOST),
        ("GET", "/", "other.example.test"),
    ],
)
def test_other_requests_reach_app(nginx_port, method, path, host):
    response, body = request(
        nginx_port, method, path, host=host, body=b"" if method == "POST" else None
    )

    assert response.status == 200
    assert body == f"app {method} {path}"


@pytest.mark.parametrize("path", ["/", "/feed.rss", "/subscriptions/page/1/"])
def test_posted_form_reaches_app_whole(nginx_port, path):
    response, body = request(
        nginx_port,
        "POST",
        path,
        {"Content-Type": "application/x-www-form-urlencoded"},
        body=b"email=visitor%40example.test",
    )

    assert response.status == 200
    assert body == f"app POST {path}"
    assert AppHandler.requests[-1]["body"] == b"email=visitor%40example.test"


def test_app_gets_host_and_forwarded_for(nginx_port):
    request(nginx_port, "GET", "/incidents/8/")

    headers = AppHandler.requests[-1]["headers"]
    assert headers["host"] == HOST
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"


def test_websocket_upgrade_passed_to_app(nginx_port):
    request(
        nginx_port,
        "GET",
        "/ws/live/",
        {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )

    headers = AppHandler.requests[-1]["headers"]
    assert headers["upgrade"] == "websocket"
    assert headers["connection"] == "upgrade"


def test_plain_request_keeps_upstream_connection_alive(nginx_port):
    request(nginx_port, "GET", "/incidents/9/")

    headers = AppHandler.requests[-1]["headers"]
    assert "connection" not in headers


def _get_raw(port, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/", headers={"Host": HOST, **headers})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_gzip_copy_sent_to_clients_accepting_gzip(nginx_port):
    response, body = _get_raw(nginx_port, {"Accept-Encoding": "gzip"})

    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == b"<p>default page</p>"


def test_plain_file_sent_without_accept_encoding(nginx_port):
    response, body = _get_raw(nginx_port, {})

    assert response.getheader("Content-Encoding") is None
    assert body == b"<p>default page</p>"
