"""Signals of the snapshot refresher."""

from django.dispatch import Signal

__all__ = ["snapshot_changed"]

snapshot_changed = Signal()
"""Sent after a page's snapshot changed, once per rebuild that changed it.

Keyword arguments: ``core_page_id`` (int), the id of the
``statuscore.models.Page``, and ``version`` (str), the new ETag of the
page's main page. It is sent from the refresher's thread of each web
process, so a receiver that talks to an event loop must hand the work over
(``async_to_sync`` or ``loop.call_soon_threadsafe``).
"""
