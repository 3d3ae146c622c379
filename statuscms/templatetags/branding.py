"""Template tags that give the shared base template its status page's brand."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def branded_page(context):
    """Return the ``StatusPage`` whose branding the current page shows.

    That is ``page`` itself on a status page and its routes, and the
    ``status_page`` in the context, or the page's own ``status_page``, on a
    page below it such as a postmortem. ``None`` when there is none.
    """
    from statuscms.models import StatusPage

    page = context.get("page")
    if isinstance(page, StatusPage):
        return page
    parent = context.get("status_page") or getattr(page, "status_page", None)
    return parent if isinstance(parent, StatusPage) else None


@register.simple_tag
def brand_style(brand) -> SafeString | str:
    """Render the ``<style>`` elements of the brand colours and custom CSS.

    Both texts are checked before they get here: the colours are hex
    colours, and the custom CSS contains no ``<`` (see
    ``statuscms.branding.validate_custom_css``), so neither can end the
    element. They are therefore output unescaped, as CSS must be.
    """
    if brand is None:
        return ""
    html = format_html("<style>{}</style>", mark_safe(brand.brand_css))
    custom_css = brand.safe_custom_css
    if custom_css:
        html += format_html(
            '\n    <style data-custom-css="">{}</style>', mark_safe(custom_css)
        )
    return html
