"""Template tags of the uptime bars.

A page with 50 components has 4,500 days of bars. Rendering each day
through template includes took seconds, so the days are rendered here
with ``format_html``, and each date's label is formatted once per
language rather than once per component.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from wagtail.models import Site

from statuscms.times import format_day
from statuscms.uptime_bars import BarDay, UptimeBars

register = template.Library()


@lru_cache(maxsize=1024)
def _day_label(day: date, language: str | None) -> str:
    return format_day(day, language)


def _value_label(day: BarDay) -> str:
    if not day.has_data:
        return gettext("No data")
    if day.uptime_percent == 100:
        percent = "100"
    else:
        percent = floatformat(day.uptime_percent, 2)
    return gettext("%(percent)s%% uptime") % {"percent": percent}


def _incident_list(day: BarDay, page, base: str) -> SafeString | str:
    if not day.incidents:
        return ""
    items = format_html_join(
        "",
        '<li><a href="{}{}" tabindex="-1">{}</a></li>',
        (
            (base, page.reverse_subpage("incident", args=(incident.pk,)), incident.name)
            for incident in day.incidents
        ),
    )
    return format_html("<ul>{}</ul>", items)


def is_notable(day: BarDay) -> bool:
    """Return whether ``day`` tells more than a full day up or no data.

    Only such days get a link in their bar, so the keyboard stops at the
    days worth reading rather than at all 90 of each component. Every
    other day is still read by screen readers as the list item's text,
    and the component page's table lists them all.
    """
    if day.incidents or day.state in ("down", "degraded", "maintenance"):
        return True
    return day.has_data and day.uptime_percent < 100


@register.simple_tag(takes_context=True)
def uptime_days(context, uptime: UptimeBars, component_url: str) -> SafeString:
    """Render the ``<li>`` of each day of ``uptime``, oldest first.

    Each item is one bar, coloured by its class, the day's state. Its
    ``<div>`` is the tooltip: the date, the state unless there is no
    data, the uptime or "No data", and, on days with incidents only, the
    incidents linked to their pages. On a notable day (see ``is_notable``)
    the date links to the day's row on the component page at
    ``component_url``. On other days it is plain text, so the bar is no
    tab stop. The incident links are left out of the tab order too (an
    incident open for a month would add 30 stops); the keyboard reaches
    them through the day's row on the component page. Every piece of text
    is escaped here.

    A page with 50 components has 4,500 of these, so each is as short as
    it can be: a bare class, ``<b>``, "100%" for a full day and no
    whitespace between items.
    """
    page = context["page"]
    request = context.get("request")
    base = page.relative_url(Site.find_for_request(request), request)
    if not base.endswith("/"):
        base += "/"
    language = get_language()
    url = escape(component_url)

    items = []
    for day in uptime.days:
        state = ""
        if day.state != "nodata":
            state = f" <b>{escape(day.state_label)}</b>"
        incidents = _incident_list(day, page, base) if day.incidents else ""
        label = escape(_day_label(day.day, language))
        if is_notable(day):
            label = f'<a href="{url}#day-{day.day.isoformat()}">{label}</a>'
        else:
            label = f"<span>{label}</span>"
        items.append(
            f"<li class={day.state}><div>{label}{state} "
            f"{escape(_value_label(day))}{incidents}</div></li>"
        )
    return mark_safe("".join(items))
