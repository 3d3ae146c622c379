"""Who may read a status page: the one rule for every public endpoint.

A page is readable by anyone (``PageAccess.PUBLIC``), by visitors who
entered its password in this session (``PASSWORD``), or by signed-in
members of its organisation (``MEMBERS``). An IP allowlist, when not
empty, applies on top of any of the three, to everyone.

The HTML page and its routes, the v2 JSON, the subscribe endpoints, the
feeds, the badge, the widget and the WebSocket all ask
:func:`check_access` (HTTP) or :func:`check_scope_access` (ASGI scopes)
and respond to a denied request without revealing anything of the page.
Only pages for which :func:`is_public` is true may be snapshotted or
served from a cache shared between visitors.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.crypto import constant_time_compare, salted_hmac

from statuscore.exceptions import StatusCoreError
from statuscore.hosts import address_in, client_address_from_scope, parse_address
from statuscore.models import Membership, Page, PageAccess
from statuscore.models.pages import parse_ip_allowlist

__all__ = [
    "AccessDecision",
    "AccessDenied",
    "Reason",
    "check_access",
    "check_scope_access",
    "grant_password_access",
    "is_public",
    "mark_private",
    "require_access",
]

logger = logging.getLogger(__name__)

Reason = Literal["password", "members", "ip"]

ROBOTS_HEADER = "noindex, nofollow"
SESSION_KEY_PREFIX = "statuscore.page_access."


@dataclass(frozen=True)
class AccessDecision:
    """Whether a visitor may read a page, and if not, what is missing.

    ``reason`` is None when ``allowed``. Otherwise it is one of three
    values. ``"ip"``: the client address is outside the allowlist, which
    the visitor cannot change. ``"password"``: the page's password has not
    been entered in this session. ``"members"``: a signed-in member of the
    organisation is needed.
    """

    allowed: bool
    reason: Reason | None = None

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = AccessDecision(allowed=True)


class AccessDenied(StatusCoreError):
    """A visitor may not read a page; ``decision`` contains the reason."""

    def __init__(self, page: Page, decision: AccessDecision) -> None:
        super().__init__(f"Page {page.pk} is not readable: {decision.reason}.")
        self.page = page
        self.decision = decision


def is_public(page: Page) -> bool:
    """Return whether anyone may read ``page`` with no password, sign-in or
    IP rule. Only such pages get snapshots and shared caches."""
    return page.access == PageAccess.PUBLIC and not page.ip_allowlist


def _password_fragment(page: Page) -> str:
    """Return a keyed digest of the page's password hash.

    The session stores this, not the hash. A new password has a new salt
    and so a new hash, which makes every stored fragment stale: changing
    the password signs out everyone who entered the old one.
    """
    return salted_hmac(
        "statuscore.access.password", f"{page.pk}:{page.access_password}"
    ).hexdigest()


def _session_key(page: Page) -> str:
    return f"{SESSION_KEY_PREFIX}{page.pk}"


def _address_allowed(page: Page, client: str | None) -> bool:
    if not page.ip_allowlist:
        return True
    try:
        networks = parse_ip_allowlist(page.ip_allowlist)
    except ValidationError:
        # A row written around the services must deny, not crash.
        logger.error("Page %s has an invalid IP allowlist; denying", page.pk)
        return False
    return address_in(parse_address(client), networks)


def _is_member(page: Page, user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        organization_id=page.organization_id, user_id=user.pk
    ).exists()


def _decide(
    page: Page, client: str | None, session: Mapping | None, user: Any
) -> AccessDecision:
    """Apply the rule: the IP allowlist first, then the page's mode.

    Members of the organisation may also read a password page without its
    password, so editors can check what visitors see.
    """
    if not _address_allowed(page, client):
        return AccessDecision(allowed=False, reason="ip")
    if page.access == PageAccess.PUBLIC:
        return ALLOWED

    if page.access == PageAccess.PASSWORD:
        stored = session.get(_session_key(page)) if session is not None else None
        if page.access_password and isinstance(stored, str):
            if constant_time_compare(stored, _password_fragment(page)):
                return ALLOWED
        if _is_member(page, user):
            return ALLOWED
        return AccessDecision(allowed=False, reason="password")

    if _is_member(page, user):
        return ALLOWED
    return AccessDecision(allowed=False, reason="members")


def check_access(request: HttpRequest, page: Page) -> AccessDecision:
    """Decide whether the visitor of an HTTP request may read ``page``.

    The client address is ``REMOTE_ADDR``, which
    :class:`statuscore.middleware.ProxyHeadersMiddleware` sets from
    ``X-Forwarded-For`` only for trusted proxies. The session and user are
    those of Django's session and authentication middleware, when present.
    """
    if is_public(page):
        return ALLOWED
    return _decide(
        page,
        request.META.get("REMOTE_ADDR"),
        getattr(request, "session", None),
        getattr(request, "user", None),
    )


def check_scope_access(scope: Mapping[str, Any], page: Page) -> AccessDecision:
    """Decide whether the client of an ASGI scope, such as a WebSocket
    connection, may read ``page``.

    The session is ``scope["session"]`` (Channels' ``SessionMiddleware``),
    the user ``scope["user"]`` (its ``AuthMiddleware``), and the client
    address ``scope["client"]``, or ``X-Forwarded-For`` when that peer is a
    trusted proxy. Reading the session and membership queries the
    database, so call this from synchronous code, or through
    ``channels.db.database_sync_to_async`` in a consumer.
    """
    if is_public(page):
        return ALLOWED
    return _decide(
        page,
        client_address_from_scope(dict(scope)),
        scope.get("session"),
        scope.get("user"),
    )


def require_access(request: HttpRequest, page: Page) -> None:
    """Raise :class:`AccessDenied` unless the visitor may read ``page``."""
    decision = check_access(request, page)
    if not decision.allowed:
        logger.info(
            "Access to page %s denied (%s) for %s",
            page.pk,
            decision.reason,
            request.META.get("REMOTE_ADDR", ""),
        )
        raise AccessDenied(page, decision)


def grant_password_access(request: HttpRequest, page: Page) -> None:
    """Remember in the session that the visitor entered ``page``'s password.

    The session key is rotated first, so a session id planted before the
    password was entered does not gain access. The grant covers this page
    only, until the session ends or the password changes.
    """
    request.session.cycle_key()
    request.session[_session_key(page)] = _password_fragment(page)
    logger.info("Password of page %s entered; access granted", page.pk)


def mark_private(response: HttpResponseBase) -> HttpResponseBase:
    """Keep a response of a private page out of search engines and shared
    caches: ``X-Robots-Tag: noindex, nofollow`` and
    ``Cache-Control: private, no-store``."""
    response["X-Robots-Tag"] = ROBOTS_HEADER
    if "Cache-Control" in response:
        del response["Cache-Control"]
    patch_cache_control(response, private=True, no_store=True)
    return response
