"""Helpers to drive the snapshot fast path as an ASGI server would."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Fallthrough:
    """An ASGI app in place of Django: it responds with 299 and counts calls."""

    calls: list[str] = field(default_factory=list)

    async def __call__(self, scope, receive, send) -> None:
        self.calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"django"})


def scope_for(
    path: str,
    *,
    method: str = "GET",
    host: str = "localhost",
    query: str = "",
    headers: dict[str, str] | None = None,
    client: str = "127.0.0.1",
    scheme: str = "http",
) -> dict:
    raw_headers = [(b"host", host.encode())] if host else []
    raw_headers += [
        (name.lower().encode(), value.encode())
        for name, value in (headers or {}).items()
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw_headers,
        "client": (client, 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _call(app, scope) -> Answer:
    messages = []
    sent_body = False

    async def receive():
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": b"", "more_body": False}
        # The client stays connected until the app is done.
        await asyncio.Event().wait()

    async def send(message):
        messages.append(message)

    await app(scope, receive, send)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    return Answer(start["status"], headers, body)


def call(app, path: str, **kwargs) -> Answer:
    """Send one request to ``app`` and return its response."""
    return asyncio.run(_call(app, scope_for(path, **kwargs)))


def ensure_wagtail_tree() -> None:
    """Create the locale and page root that Wagtail's migrations add, when
    an earlier transactional test emptied the tables."""
    from wagtail.models import Locale
    from wagtail.models import Page as WagtailPage

    locale, _ = Locale.objects.get_or_create(language_code="en")
    if WagtailPage.get_first_root_node() is None:
        WagtailPage.add_root(
            instance=WagtailPage(title="Root", slug="root", locale=locale)
        )
