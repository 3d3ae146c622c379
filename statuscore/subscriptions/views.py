"""Public pages reached from the links in messages to subscribers.

Mail security gateways fetch every link in a message, with HEAD and GET,
before the person reads it. So a GET or HEAD here only renders a page with
a button and changes nothing; the button's POST, protected by Django's
CSRF check, makes the change. The one exception is the RFC 8058 one-click
endpoint: mail clients POST ``List-Unsubscribe=One-Click`` to it without
cookies, and its signed token is the credential.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from statuscore.exceptions import RateLimited, ValidationFailed
from statuscore.models import Page, Subscriber
from statuscore.plugins import get_notifiers
from statuscore.subscriptions import ratelimit, service
from statuscore.subscriptions.forms import config_from_data, target_fields
from statuscore.subscriptions.tokens import (
    InvalidToken,
    TokenExpired,
    make_token,
    read_token,
)

__all__ = ["confirm", "confirm_code", "manage", "one_click_unsubscribe", "unsubscribe"]

logger = logging.getLogger(__name__)

TEMPLATES = "statuscore/subscriptions/"


def _render(
    request: HttpRequest, name: str, context: dict, status: int = 200
) -> HttpResponse:
    # The subscriber's language, else the page's, as in their messages.
    language = context.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        response = render(request, TEMPLATES + name, context, status=status)
    response["Content-Language"] = language
    # The token in the URL is a credential; keep it out of Referer headers
    # sent to other sites. "no-referrer" would also make browsers send
    # "Origin: null" with the page's own form, which Django's CSRF check
    # rejects, so the button would fail in every browser.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _invalid(request: HttpRequest, error: InvalidToken) -> HttpResponse:
    if isinstance(error, TokenExpired):
        return _render(request, "expired.html", {}, status=410)
    return _render(request, "invalid.html", {}, status=404)


def _subscriber_context(subscriber: Subscriber) -> dict:
    return {
        "subscriber": subscriber,
        "page": subscriber.page,
        "language": subscriber.language or subscriber.page.language,
    }


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Show a button that confirms a subscription; confirm on its POST."""
    try:
        subscriber = read_token(token, "confirm")
    except InvalidToken as error:
        return _invalid(request, error)

    context = _subscriber_context(subscriber)
    if request.method != "POST":
        return _render(request, "confirm.html", context)

    service.confirm(subscriber, how="link")
    context["manage_url"] = _manage_path(subscriber)
    return _render(request, "confirmed.html", context)


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Show a button that unsubscribes; unsubscribe on its POST."""
    try:
        subscriber = read_token(token, "unsubscribe")
    except InvalidToken as error:
        return _invalid(request, error)

    context = _subscriber_context(subscriber)
    context["manage_url"] = _manage_path(subscriber)
    if request.method != "POST":
        context["action_url"] = request.path
        return _render(request, "unsubscribe.html", context)

    service.unsubscribe(subscriber, how="link")
    return _render(request, "unsubscribed.html", context)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def one_click_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Unsubscribe on an RFC 8058 one-click POST; show the button page on GET.

    The POST body must be ``List-Unsubscribe=One-Click``. A mail client
    sends it without cookies, so there is no CSRF check; the signed token
    is the only credential, as RFC 8058 section 3.2 expects.
    """
    try:
        subscriber = read_token(token, "unsubscribe")
    except InvalidToken as error:
        return _invalid(request, error)

    if request.method != "POST":
        context = _subscriber_context(subscriber)
        context["manage_url"] = _manage_path(subscriber)
        context["action_url"] = _unsubscribe_path(token)
        return _render(request, "unsubscribe.html", context)

    if request.POST.get("List-Unsubscribe") != "One-Click":
        return HttpResponse(
            "The body must be List-Unsubscribe=One-Click.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    service.unsubscribe(subscriber, how="one-click")
    return HttpResponse("Unsubscribed.", content_type="text/plain; charset=utf-8")


def _unsubscribe_path(token: str) -> str:
    return reverse("statuscore-subscription-unsubscribe", args=[token])


def _manage_path(subscriber: Subscriber) -> str:
    return reverse(
        "statuscore-subscription-manage", args=[make_token(subscriber, "manage")]
    )


MANAGE_ACTIONS = ("components", "unsubscribe", "resubscribe")


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Let a subscriber choose components, unsubscribe or subscribe again."""
    try:
        subscriber = read_token(token, "manage")
    except InvalidToken as error:
        return _invalid(request, error)

    context = _subscriber_context(subscriber)
    context["components"] = subscriber.page.components.order_by("position", "name")
    context["chosen"] = set(subscriber.components.values_list("pk", flat=True))
    context["done"] = request.GET.get("done", "")
    if request.method != "POST":
        return _render(request, "manage.html", context)

    action = request.POST.get("action", "")
    try:
        if action == "components":
            service.update_components(subscriber, request.POST.getlist("components"))
        elif action == "unsubscribe":
            service.unsubscribe(subscriber, how="manage")
        elif action == "resubscribe":
            service.resubscribe(subscriber)
        else:
            raise ValidationFailed.for_field(
                "action", f"Expected one of {', '.join(MANAGE_ACTIONS)}."
            )
    except ValidationFailed as error:
        context["errors"] = error.errors
        return _render(request, "manage.html", context, status=400)
    return HttpResponseRedirect(f"{request.path}?done={action}")


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_code(request: HttpRequest, slug: str) -> HttpResponse:
    """Take the code sent to a new subscriber by SMS or chat, and confirm it."""
    page = get_object_or_404(Page, slug=slug)
    notifiers = get_notifiers()
    offered = [
        notifiers[name]
        for name in page.subscriber_notifiers or []
        if name in notifiers and notifiers[name].confirmation == "code"
    ]
    if not offered:
        return _render(request, "invalid.html", {"page": page}, status=404)

    chosen = offered[0]
    if request.POST.get("notifier") in {n.name for n in offered}:
        chosen = notifiers[request.POST["notifier"]]
    values = request.POST if request.method == "POST" else request.GET
    context = {"page": page, "language": page.language, "notifier": chosen}
    context["rows"] = _rows(chosen, values, {})
    if request.method != "POST":
        return _render(request, "code.html", context)

    try:
        service.confirm_code(
            page,
            chosen.name,
            config_from_data(chosen, request.POST),
            request.POST.get("code", ""),
            client=ratelimit.client_address(request),
        )
    except RateLimited as error:
        context["rate_limited"] = str(error)
        response = _render(request, "code.html", context, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    except ValidationFailed as error:
        errors = {
            key.removeprefix("config."): messages
            for key, messages in error.errors.items()
        }
        context["errors"] = errors
        context["rows"] = _rows(chosen, values, errors)
        return _render(request, "code.html", context, status=400)
    return _render(request, "confirmed.html", context)


def _rows(notifier, values, errors: dict[str, list[str]]) -> list[dict]:
    """Return each target input of the code form with its value and errors."""
    return [
        {
            "field": field,
            "value": ""
            if field.input_type == "password"
            else values.get(field.name, ""),
            "errors": errors.get(field.name, []),
        }
        for field in target_fields(notifier)
    ]
