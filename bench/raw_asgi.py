"""A raw ASGI app that serves snapshot files from memory, with no Django.

``python -m bench.public --app bench.raw_asgi:app`` runs it in place of
the project's application, to measure what an ASGI server costs by
itself. The files under ``BENCH_SNAPSHOT_ROOT/<host>/`` are read once at
import and served by path, with a Content-Length and nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path

TYPES = {".html": b"text/html; charset=utf-8", ".json": b"application/json"}


def _load() -> dict[tuple[str, str], bytes]:
    root = Path(os.environ["BENCH_SNAPSHOT_ROOT"])
    bodies = {}
    for host in root.iterdir():
        if not host.is_dir() or host.name.startswith("."):
            continue
        for file in host.rglob("*"):
            relative = file.relative_to(host).as_posix()
            if file.is_file() and not relative.startswith("."):
                path = "/" + relative.removesuffix("index.html")
                bodies[(host.name, path)] = file.read_bytes()
    return bodies


BODIES = _load()


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    host = dict(scope["headers"]).get(b"host", b"").decode().partition(":")[0]
    body = BODIES.get((host, scope["path"]))
    status = 200 if body is not None else 404
    body = body if body is not None else b"not found"
    content_type = TYPES.get(Path(scope["path"]).suffix or ".html", b"text/plain")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
