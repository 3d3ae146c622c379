"""Live updates of the public status page over a WebSocket.

A visitor's browser opens ``/ws/live/<path of the page>`` and joins the
Channels group of that page. When the page's snapshot changes, every web
process that noticed it sends the new version to the group, and the client
script fetches the page again and swaps its live regions. The protocol is
described in ``docs/live-updates.md``.
"""
