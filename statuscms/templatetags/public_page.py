"""Template tags of the public status pages: times, Markdown, block HTML, labels."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from statuscms import labels
from statuscms.sanitize import sanitize_html
from statuscms.times import format_day, format_local, format_month, iso_utc
from statuscore.markup import render_markdown
from statuscore.status import PageStatus

register = template.Library()


@register.simple_tag
def local_time(
    value: datetime | None, zone: zoneinfo.ZoneInfo | str, css_class: str = ""
) -> SafeString | str:
    """Render ``<time datetime="...Z">4 Dec 2026, 18:31 UTC+01:00</time>``.

    The attribute is the instant in UTC, and the text is the wall time in
    the page's ``zone`` with its offset. ``None`` renders nothing. An empty
    ``zone``, from a template whose view sets no ``time_zone``, means UTC,
    which the text then names.
    """
    if value is None:
        return ""
    return format_html(
        '<time class="{}" datetime="{}">{}</time>',
        css_class,
        iso_utc(value),
        format_local(value, zone or "UTC"),
    )


@register.filter
def markdown(text: str | None) -> SafeString:
    """Render editor Markdown through the project's sanitising renderer."""
    return render_markdown(text or "")


@register.filter
def sanitized(html: str) -> SafeString:
    """Clean already rendered HTML, such as a StreamField's, by the allowlist."""
    return sanitize_html(html)


@register.filter
def long_date(value: date | None) -> str:
    """Format a day in the active language, such as ``4. Dezember 2026``."""
    if value is None:
        return ""
    return format_day(value)


@register.filter
def month_year(value: date | None) -> str:
    """Format a month in the active language, such as ``décembre 2026``."""
    if value is None:
        return ""
    return format_month(value)


@register.filter
def status_sentence(status: PageStatus) -> str:
    """Return the page's overall status sentence in the active language."""
    return labels.status_sentence(status)
