"""The live-update WebSocket, driven through Channels' test communicator.

Each test runs the project's whole ASGI application, origin validation
and session middleware included, on the channel layer the settings choose:
in memory by default, Redis when ``REDIS_URL`` is set.
"""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client
from statussite.asgi import application
from wagtail.models import Locale, Site
from wagtail.models import Page as WagtailPage

from statuscms.live import private
from statuscms.live.broadcast import group_name
from statuscms.live.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND
from statuscms.setup import ensure_status_page
from statuscms.snapshots.signals import snapshot_changed
from statuscms.snapshots.store import store
from statuscore import services
from statuscore.models import Organization, Page, PageAccess, Role

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "status.acme.test"
OTHER_HOST = "status.other.test"
MAIN_HOST = "main.acme.test"

# Seconds to wait for a message that should come, and for one that should not.
RECEIVE_TIMEOUT = 3
SILENCE_TIMEOUT = 0.5


def communicator(
    path: str = "/ws/live/",
    host: str = HOST,
    origin: str | None = None,
    session: str | None = None,
):
    origin = f"http://{host}" if origin is None else origin
    headers = [(b"host", host.encode())]
    if origin:
        headers.append((b"origin", origin.encode()))
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def open_socket(socket: WebsocketCommunicator) -> dict:
    connected, _subprotocol = await socket.connect(timeout=RECEIVE_TIMEOUT)
    assert connected
    return await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)


async def close_code(socket: WebsocketCommunicator) -> int:
    """Connect and return the code the server closes the socket with."""
    connected, _subprotocol = await socket.connect(timeout=RECEIVE_TIMEOUT)
    assert connected, "the socket should be accepted before it is closed"
    message = await socket.receive_output(timeout=RECEIVE_TIMEOUT)
    assert message["type"] == "websocket.close"
    return message["code"]


def send_from_refresher_thread(core_page_id: int, version: str) -> None:
    """Send ``snapshot_changed`` from another thread, as the refresher does."""
    sender = threading.Thread(
        target=snapshot_changed.send,
        kwargs={"sender": None, "core_page_id": core_page_id, "version": version},
    )
    sender.start()
    sender.join()


@pytest.fixture(autouse=True)
def wagtail_root(transactional_db):
    """Create the locale and page root of Wagtail's migrations, which an
    earlier transactional test's flush removed."""
    locale, _ = Locale.objects.get_or_create(language_code="en")
    if WagtailPage.get_first_root_node() is None:
        WagtailPage.add_root(
            instance=WagtailPage(title="Root", slug="root", locale=locale)
        )


@pytest.fixture
def other_status_page(db):
    """A second page, served on its own host through a Wagtail Site."""
    organization = Organization.objects.create(name="Other", slug="other")
    core_page = Page.objects.create(
        organization=organization, name="Other", slug="other"
    )
    status_page = ensure_status_page(core_page, make_site_root=False)
    Site.objects.create(hostname=OTHER_HOST, port=80, root_page=status_page)
    return status_page


@pytest.fixture
def stored_version(status_page):
    store.set_version(status_page.core_page_id, '"v1"')
    yield '"v1"'
    store.remove_page(status_page.core_page_id)


def test_connect_sends_current_version(status_page, stored_version):
    async def scenario():
        socket = communicator()
        hello = await open_socket(socket)
        await socket.disconnect()
        return hello

    hello = async_to_sync(scenario)()

    assert hello == {"type": "hello", "version": stored_version}


def test_connect_without_snapshot_sends_null_version(status_page):
    async def scenario():
        socket = communicator()
        hello = await open_socket(socket)
        await socket.disconnect()
        return hello

    hello = async_to_sync(scenario)()

    assert hello == {"type": "hello", "version": None}


def test_committed_incident_reaches_socket(status_page, component):
    core_page = status_page.core_page

    async def scenario():
        socket = communicator()
        await open_socket(socket)

        await database_sync_to_async(services.create_incident)(
            core_page, "Checkout failing", body="Looking."
        )
        await asyncio.to_thread(send_from_refresher_thread, core_page.pk, '"v2"')

        changed = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await socket.disconnect()
        return changed

    changed = async_to_sync(scenario)()

    assert changed == {"type": "changed", "version": '"v2"'}


def test_change_of_other_page_not_sent(status_page, other_status_page):
    async def scenario():
        mine = communicator()
        theirs = communicator(host=OTHER_HOST)
        await open_socket(mine)
        await open_socket(theirs)

        await asyncio.to_thread(
            send_from_refresher_thread, other_status_page.core_page_id, '"b2"'
        )

        received_by_theirs = await theirs.receive_json_from(timeout=RECEIVE_TIMEOUT)
        silent = await mine.receive_nothing(timeout=SILENCE_TIMEOUT)
        await mine.disconnect()
        await theirs.disconnect()
        return received_by_theirs, silent

    received_by_theirs, silent = async_to_sync(scenario)()

    assert received_by_theirs == {"type": "changed", "version": '"b2"'}
    assert silent


def test_host_of_other_page_serves_only_that_page(status_page, other_status_page):
    """The socket finds its page by host and path, like the HTTP request:
    on the other page's domain, ``/`` is the other page."""

    async def scenario():
        socket = communicator(host=OTHER_HOST)
        await open_socket(socket)
        await asyncio.to_thread(
            send_from_refresher_thread, status_page.core_page_id, '"a2"'
        )
        silent = await socket.receive_nothing(timeout=SILENCE_TIMEOUT)
        await socket.disconnect()
        return silent

    assert async_to_sync(scenario)()


def test_path_without_status_page_closes_not_found(status_page):
    async def scenario():
        return await close_code(communicator("/ws/live/no-such-page/"))

    assert async_to_sync(scenario)() == CLOSE_NOT_FOUND


def test_incident_page_path_closes_not_found(status_page):
    async def scenario():
        return await close_code(communicator("/ws/live/history/"))

    assert async_to_sync(scenario)() == CLOSE_NOT_FOUND


@pytest.fixture
def main_host_only(settings):
    """The site's own host is MAIN_HOST; HOST is only the page's domain."""
    settings.STATUSCORE_ALLOWED_HOSTS = [MAIN_HOST]


def test_main_site_path_sends_version_and_changes(
    status_page, stored_version, main_host_only
):
    path = f"/ws/live/pages/{status_page.core_page.slug}/"

    async def scenario():
        socket = communicator(path, host=MAIN_HOST)
        hello = await open_socket(socket)
        await asyncio.to_thread(
            send_from_refresher_thread, status_page.core_page_id, '"v2"'
        )
        changed = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await socket.disconnect()
        return hello, changed

    hello, changed = async_to_sync(scenario)()

    assert hello == {"type": "hello", "version": stored_version}
    assert changed == {"type": "changed", "version": '"v2"'}


def test_unknown_slug_path_closes_not_found(status_page, main_host_only):
    async def scenario():
        return await close_code(communicator("/ws/live/pages/nope/", host=MAIN_HOST))

    assert async_to_sync(scenario)() == CLOSE_NOT_FOUND


def test_prefix_on_custom_domain_closes(status_page, main_host_only):
    """A page's own domain does not serve ``/pages/<slug>/`` over HTTP,
    so its socket is not found there either."""
    path = f"/ws/live/pages/{status_page.core_page.slug}/"

    async def scenario():
        return await close_code(communicator(path, host=HOST))

    assert async_to_sync(scenario)() == CLOSE_NOT_FOUND


def test_prefix_on_custom_domain_http_404(status_page, main_host_only):
    path = f"/pages/{status_page.core_page.slug}/"

    assert Client(HTTP_HOST=HOST).get(path).status_code == 404


def test_origin_of_other_site_is_refused_at_handshake(status_page):
    """A socket opened by another site's page is refused before it is
    accepted, by the same host and origin rule as the rest of the site."""

    async def scenario():
        socket = communicator(origin="http://attacker.test")
        connected, _subprotocol = await socket.connect(timeout=RECEIVE_TIMEOUT)
        await socket.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_signal_from_event_loop_reaches_socket(status_page):
    """A receiver called inside the server's loop sends without blocking it."""
    core_page_id = status_page.core_page_id

    async def scenario():
        socket = communicator()
        await open_socket(socket)
        snapshot_changed.send(sender=None, core_page_id=core_page_id, version='"v3"')
        changed = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await socket.disconnect()
        return changed

    assert async_to_sync(scenario)() == {"type": "changed", "version": '"v3"'}


@pytest.fixture
def members_page(status_page):
    services.update_page(status_page.core_page, access=PageAccess.MEMBERS)
    return status_page


@pytest.fixture
def member(organization):
    user = get_user_model().objects.create_user(username="member", password="x")
    services.add_member(organization, user, Role.VIEWER)
    return user


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_members_page_closes_forbidden_for_anonymous(members_page):
    async def scenario():
        return await close_code(communicator())

    assert async_to_sync(scenario)() == CLOSE_FORBIDDEN


def test_members_page_accepts_signed_in_member(members_page, member):
    session = session_of(member)

    async def scenario():
        socket = communicator(session=session)
        hello = await open_socket(socket)
        await socket.disconnect()
        return hello

    assert async_to_sync(scenario)()["type"] == "hello"


def test_removed_member_gets_no_more_changes(members_page, member, organization):
    """A socket of a private page checks access again before each notice."""
    session = session_of(member)
    core_page_id = members_page.core_page_id

    async def scenario():
        socket = communicator(session=session)
        await open_socket(socket)
        await database_sync_to_async(services.remove_member)(organization, member)
        await asyncio.to_thread(send_from_refresher_thread, core_page_id, '"m2"')
        message = await socket.receive_output(timeout=RECEIVE_TIMEOUT)
        return message

    message = async_to_sync(scenario)()

    assert message == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_redis_layer_carries_change_of_other_process(status_page, settings):
    """A second layer instance stands for another web process: its send
    reaches this process's socket only through Redis."""
    from channels_redis.core import RedisChannelLayer

    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis")
    other_process = RedisChannelLayer(hosts=[os.environ["REDIS_URL"]])
    group = group_name(status_page.core_page_id)
    message = {"type": "page.changed", "version": '"r2"'}

    async def scenario():
        socket = communicator()
        await open_socket(socket)
        await asyncio.to_thread(async_to_sync(other_process.group_send), group, message)
        changed = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await socket.disconnect()
        return changed

    assert async_to_sync(scenario)() == {"type": "changed", "version": '"r2"'}


def test_members_page_socket_hears_committed_incident(members_page, member):
    """A page that is not public has no snapshot; its sockets hear of
    changes from the outbox instead."""
    session = session_of(member)
    core_page = members_page.core_page

    async def scenario():
        socket = communicator(session=session)
        await open_socket(socket)
        # Let the watch record the events already there first.
        await asyncio.sleep(private.POLL_INTERVAL * 2)
        await database_sync_to_async(services.create_incident)(
            core_page, "Members only outage", body="Looking."
        )
        changed = await socket.receive_json_from(timeout=RECEIVE_TIMEOUT)
        await socket.disconnect()
        return changed

    changed = async_to_sync(scenario)()

    assert changed["type"] == "changed"
    assert changed["version"].startswith("event-")
