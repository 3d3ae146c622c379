"""Send a page's new version to the browsers that show it.

``statuscms.snapshots.signals.snapshot_changed`` fires in the web process
after a page's snapshot changed. The receiver here sends
``{"type": "page.changed", "version": ...}`` to the page's Channels group,
which ``statuscms.live.consumers.PageConsumer`` forwards to its browser.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

__all__ = [
    "broadcast_change",
    "connect",
    "group_name",
    "remember_server_loop",
]

logger = logging.getLogger(__name__)

# The event loop that runs this process's WebSocket consumers. The
# in-memory channel layer keeps asyncio queues that belong to that loop,
# so a message from another thread must be handed to it.
_server_loop: asyncio.AbstractEventLoop | None = None

# Tasks and futures still sending, kept so they are not garbage-collected.
_in_flight: set[asyncio.Task | Future] = set()


def group_name(core_page_id: int) -> str:
    """Return the Channels group of the browsers that show one page."""
    return f"status-page-{core_page_id}"


def remember_server_loop() -> None:
    """Record the running loop as the one that serves WebSocket consumers.

    Consumers call this on connect; the in-memory layer needs sends from
    other threads to run on this loop.
    """
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def _log_failure(outcome: asyncio.Task | Future) -> None:
    _in_flight.discard(outcome)
    if outcome.cancelled():
        return
    error = outcome.exception()
    if error is not None:
        logger.error("Live update could not be sent: %r", error)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _schedule(send: Callable[..., Awaitable[None]], *args: Any) -> None:
    """Run ``send(*args)`` on the consumers' loop, or wherever it can run now.

    1. When a consumer loop is known and running, the send goes there:
       as a task from inside it, through ``run_coroutine_threadsafe`` from
       any other thread.
    2. Otherwise, from inside a running loop, it becomes a task there.
    3. Otherwise it runs to completion in this thread. No consumer of this
       process is connected then, so only a shared layer such as Redis
       delivers it, to other processes.
    """
    current = _running_loop()
    server = _server_loop if _server_loop and _server_loop.is_running() else None

    if server is not None and server is not current:
        outcome = asyncio.run_coroutine_threadsafe(send(*args), server)
    elif current is not None:
        outcome = current.create_task(send(*args))
    else:
        async_to_sync(send)(*args)
        return

    _in_flight.add(outcome)
    outcome.add_done_callback(_log_failure)


def broadcast_change(core_page_id: int, version: str) -> None:
    """Send ``version`` to the browsers that show page ``core_page_id``.

    It returns before the send completes when called in a thread with a
    running loop. Failures are logged and not raised: a browser that
    misses a message refetches the page when it reconnects.
    """
    layer = get_channel_layer()
    if layer is None:
        return

    message = {"type": "page.changed", "version": version}
    try:
        _schedule(layer.group_send, group_name(core_page_id), message)
    except Exception:
        # Any layer error (Redis down, a full channel) must not stop the
        # sender of the signal, which goes on refreshing other pages.
        logger.exception("Live update of page %s could not be sent", core_page_id)
        return
    logger.debug("Live update of page %s sent, version %s", core_page_id, version)


def send_snapshot_change(
    sender: Any, core_page_id: int, version: str, **kwargs: Any
) -> None:
    """Receive ``snapshot_changed`` and broadcast the page's new version."""
    broadcast_change(core_page_id, version)


def connect() -> None:
    """Connect the receiver of ``snapshot_changed``; safe to call twice."""
    from statuscms.snapshots.signals import snapshot_changed

    snapshot_changed.connect(
        send_snapshot_change, dispatch_uid="statuscms.live.send_snapshot_change"
    )
