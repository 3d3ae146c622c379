"""The "Subscribe to updates" forms of the public status page.

The page shows one small form per notifier the core page offers. A form
posts to the page's own URL, and :func:`handle_subscribe` passes it to
``statuscore.subscriptions.subscribe``. It works without JavaScript: a
valid request is redirected back with a notice (post, redirect, get), and
an invalid one renders the page again with each error next to its field.

Labels and errors are shown in the page's language for the visitor
(``statuscms.languages``). The core's validation messages are English, so
in other languages an input's error is a translated sentence naming the
input, and the core's wording is shown in English only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from statuscms.labels import notifier_label, target_label
from statuscms.languages import page_language
from statuscore.exceptions import RateLimited, ValidationFailed
from statuscore.notifiers import Notifier
from statuscore.plugins import get_notifiers
from statuscore.subscriptions import subscribe
from statuscore.subscriptions.forms import TargetField, config_from_data, target_fields
from statuscore.subscriptions.ratelimit import client_address

__all__ = ["SubscribeForm", "handle_subscribe", "subscribe_forms"]

logger = logging.getLogger(__name__)

ANCHOR = "#subscribe"


@dataclass
class TargetInput:
    notifier_name: str
    field: TargetField
    html_name: str
    html_id: str
    value: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The input's label in the active language."""
        return target_label(self.notifier_name, self.field.name, self.field.label)


@dataclass
class SubscribeForm:
    """One notifier's subscribe form, with what the visitor typed and errors."""

    notifier: type[Notifier]
    inputs: list[TargetInput]
    chosen_components: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    component_errors: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"{self.notifier.name}-"

    @property
    def label(self) -> str:
        """The notifier's name in the active language, as in "By Email"."""
        return notifier_label(self.notifier.name, self.notifier.label)


def _offered(core_page) -> list[type[Notifier]]:
    notifiers = get_notifiers()
    return [
        notifiers[name]
        for name in core_page.subscriber_notifiers or []
        if name in notifiers and notifiers[name].subscribable
    ]


def _form(notifier: type[Notifier], data=None) -> SubscribeForm:
    prefix = f"{notifier.name}-"
    inputs = []
    for target in target_fields(notifier):
        value = "" if data is None else data.get(prefix + target.name, "")
        if target.input_type == "password":
            value = ""
        inputs.append(
            TargetInput(
                notifier_name=notifier.name,
                field=target,
                html_name=prefix + target.name,
                html_id=f"subscribe-{notifier.name}-{target.name}",
                value=value,
            )
        )
    chosen = set() if data is None else set(data.getlist(prefix + "components"))
    return SubscribeForm(notifier=notifier, inputs=inputs, chosen_components=chosen)


def subscribe_forms(
    core_page, bound: SubscribeForm | None = None
) -> list[SubscribeForm]:
    """Return an empty form per offered notifier, with ``bound`` in its place."""
    forms = []
    for notifier in _offered(core_page):
        if bound is not None and bound.notifier is notifier:
            forms.append(bound)
        else:
            forms.append(_form(notifier))
    return forms


def _in_english() -> bool:
    return (translation.get_language() or "en").split("-")[0] == "en"


def _input_errors(target: TargetInput, messages: list[str]) -> list[str]:
    """Return the errors of one input, translated unless the page is English."""
    if _in_english():
        return messages
    if not target.value.strip():
        return [gettext("This field is required.")]
    return [gettext("“%(label)s” is not valid.") % {"label": target.label}]


def _show_errors(form: SubscribeForm, error: ValidationFailed) -> None:
    by_name = {target.field.name: target for target in form.inputs}
    for key, messages in error.errors.items():
        name = key.removeprefix("config.")
        if key.startswith("config.") and name in by_name:
            by_name[name].errors.extend(_input_errors(by_name[name], messages))
        elif key == "components":
            if _in_english():
                form.component_errors.extend(messages)
            else:
                form.component_errors.append(
                    gettext("Choose only components listed on this page.")
                )
        elif _in_english():
            form.errors.extend(f"{key}: {message}" for message in messages)
        else:
            form.errors.append(gettext("The form could not be sent. Try again."))


def _rate_limited_message(error: RateLimited) -> str:
    minutes = max(1, -(-error.retry_after // 60))
    return ngettext(
        "Too many requests. Try again in %(minutes)d minute.",
        "Too many requests. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def handle_subscribe(page, request: HttpRequest) -> HttpResponse:
    """Subscribe from the posted form of ``page`` (a ``StatusPage``).

    Redirects to the page with ``?subscribed=<notifier>`` on success, the
    same for new and existing addresses. Renders the page again with
    status 400 and errors by field for invalid input, and 429 with
    ``Retry-After`` over the rate limits.
    """
    core_page = page.core_page
    offered = {notifier.name: notifier for notifier in _offered(core_page)}
    notifier = offered.get(request.POST.get("notifier", ""))
    if notifier is None:
        errors = [gettext("Choose how to receive updates.")]
        return _render(page, request, None, errors, status=400)

    bound = _form(notifier, request.POST)
    try:
        subscribe(
            core_page,
            notifier.name,
            config_from_data(notifier, request.POST, bound.prefix),
            request.POST.getlist(bound.prefix + "components"),
            language=_visitor_language(core_page),
            client=client_address(request),
        )
    except ValidationFailed as error:
        _show_errors(bound, error)
        return _render(page, request, bound, [], status=400)
    except RateLimited as error:
        bound.errors.append(_rate_limited_message(error))
        response = _render(page, request, bound, [], status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    return HttpResponseRedirect(f"{page.url}?subscribed={notifier.name}{ANCHOR}")


def _visitor_language(core_page) -> str:
    """Return the language the visitor reads, if it is not the page's own.

    It is stored on the subscriber, so messages come in that language. An
    empty value keeps the subscriber on the page's language.
    """
    language = translation.get_language() or ""
    return "" if language == page_language(core_page.language) else language


def _render(page, request, bound, errors, *, status: int) -> HttpResponse:
    context = page.get_context(request)
    context["subscribe_forms"] = subscribe_forms(page.core_page, bound)
    context["subscribe_errors"] = errors
    return TemplateResponse(request, page.get_template(request), context, status=status)
