"""The visitor's side of private status pages: the password form, the
sign-in form and the responses to denied requests.

``StatusPage.serve`` asks :func:`statuscore.access.check_access` before
any route runs and hands a denied request to :func:`deny`. The password
and sign-in routes are the only ones a denied visitor reaches.
"""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.hashers import check_password
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from statuscore.access import AccessDecision, grant_password_access
from statuscore.exceptions import RateLimited
from statuscore.subscriptions.ratelimit import hit

__all__ = ["PasswordForm", "deny", "password_view", "sign_in_view"]

logger = logging.getLogger(__name__)

# Attempts per client address and page in one window, for the password
# and for signing in. Enough for people who mistype, too few for guessing.
ATTEMPT_LIMIT = 10
ATTEMPT_WINDOW = 300


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _page_path(page, request: HttpRequest) -> str:
    return page.get_url(request=request) or "/"


def _safe_next(request: HttpRequest, candidate: str | None, page) -> str:
    """Return ``candidate`` when it is a path on this host, else the page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return _page_path(page, request)


def _route_url(page, request: HttpRequest, route: str, next_url: str) -> str:
    return (
        _page_path(page, request)
        + page.reverse_subpage(route)
        + "?"
        + urlencode({"next": next_url})
    )


def deny(page, request: HttpRequest, decision: AccessDecision) -> HttpResponse:
    """Respond to a request the page's access rule denies, revealing nothing of
    the page but its title.

    A missing password shows the password form (403). A visitor who is not
    signed in is sent to the sign-in form; a signed-in non-member gets 403.
    An address outside the allowlist gets 403.
    """
    next_url = request.get_full_path()
    if decision.reason == "password":
        form = PasswordForm(initial={"next": next_url})
        return _render_password(page, request, form, status=403)

    user = getattr(request, "user", None)
    if decision.reason == "members" and not (user and user.is_authenticated):
        return HttpResponseRedirect(_route_url(page, request, "sign_in", next_url))

    return TemplateResponse(
        request,
        "statuscms/access_denied.html",
        {"page": page, "reason": decision.reason},
        status=403,
    )


def deny_file(decision: AccessDecision) -> HttpResponse:
    """Respond 403 to a feed, calendar, badge or widget request the page's
    access rule denies.

    Feed readers, calendars, ``<img>`` tags and iframes can neither fill in
    a form nor follow a sign-in redirect, so they get a short plain-text
    reason instead of HTML. The caller marks the response private.
    """
    reasons = {
        "password": _("This status page needs a password."),
        "members": _("This status page is for members only."),
        "ip": _("This status page is not served to your address."),
    }
    body = reasons.get(decision.reason or "", _("This status page is private."))
    return HttpResponseForbidden(f"{body}\n", content_type="text/plain; charset=utf-8")


def _render_password(
    page, request: HttpRequest, form: PasswordForm, *, status: int
) -> HttpResponse:
    return TemplateResponse(
        request,
        "statuscms/access_password.html",
        {
            "page": page,
            "form": form,
            "action": _page_path(page, request) + page.reverse_subpage("password"),
        },
        status=status,
    )


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _count_attempt(scope: str, page, request: HttpRequest) -> None:
    hit(
        scope,
        f"{page.core_page_id}:{_client(request)}",
        limit=ATTEMPT_LIMIT,
        window=ATTEMPT_WINDOW,
    )


def _too_many(response: HttpResponse, error: RateLimited) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(error.retry_after)
    return response


def password_view(page, request: HttpRequest) -> HttpResponse:
    """Show the password form, or check a submitted password.

    A right password rotates the session key, remembers the grant for this
    page only, and redirects (303) to the address the visitor asked for.
    A wrong one shows the form again with a message (403). More than
    ``ATTEMPT_LIMIT`` attempts from one address in ``ATTEMPT_WINDOW``
    seconds get 429 with ``Retry-After``, whatever the password.
    """
    core_page = page.core_page
    if request.method != "POST":
        form = PasswordForm(initial={"next": request.GET.get("next", "")})
        return _render_password(page, request, form, status=200)

    form = PasswordForm(request.POST)
    try:
        _count_attempt("page-password", page, request)
    except RateLimited as error:
        form.is_valid()
        form.add_error(
            None,
            _("Too many attempts. Wait %(seconds)s seconds, then try again.")
            % {"seconds": error.retry_after},
        )
        response = _render_password(page, request, form, status=429)
        return _too_many(response, error)

    if form.is_valid() and check_password(
        form.cleaned_data["password"], core_page.access_password
    ):
        grant_password_access(request, core_page)
        target = _safe_next(request, form.cleaned_data.get("next"), page)
        return HttpResponseRedirect(target, status=303)

    logger.info("Wrong password for page %s from %s", core_page.pk, _client(request))
    if form.is_valid():
        form.add_error("password", _("This password is not correct."))
    return _render_password(page, request, form, status=403)


def _google_sign_in_url(request: HttpRequest) -> str | None:
    """Return the address that starts Google sign-in, on the main site only:
    Google redirects back to the address registered for ``BASE_URL``."""
    if not getattr(settings, "GOOGLE_SIGN_IN", False):
        return None
    if getattr(request, "custom_domain_page", None) is not None:
        return None
    return reverse("social:begin", args=["google-oauth2"])


def sign_in_view(page, request: HttpRequest) -> HttpResponse:
    """Sign a visitor in with a user name and password, for pages readable
    by members of the organisation, then redirect (303) to ``next``.

    The form works on a page's own domain too, where the admin's sign-in is
    not served. Attempts are limited as for the password form.
    """
    next_url = _safe_next(
        request, request.POST.get("next") or request.GET.get("next"), page
    )
    form = AuthenticationForm(request, data=request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            _count_attempt("page-sign-in", page, request)
        except RateLimited as error:
            form = AuthenticationForm(request)
            response = _render_sign_in(page, request, form, next_url, error)
            return _too_many(response, error)
        if form.is_valid():
            login(request, form.get_user())
            return HttpResponseRedirect(next_url, status=303)
        status = 403
    response = _render_sign_in(page, request, form, next_url, None)
    response.status_code = status
    return response


def _render_sign_in(
    page, request, form, next_url: str, error: RateLimited | None
) -> TemplateResponse:
    return TemplateResponse(
        request,
        "statuscms/access_sign_in.html",
        {
            "page": page,
            "form": form,
            "next": next_url,
            "action": _page_path(page, request) + page.reverse_subpage("sign_in"),
            "google_url": _google_sign_in_url(request),
            "retry_after": error.retry_after if error else None,
        },
    )
