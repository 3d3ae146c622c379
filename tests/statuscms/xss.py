"""Script-injection payloads, the editable fields that reach the public
pages, a scene that stores text in each of them, and a checker that finds
any executable part in rendered HTML.

Both the Django test-client test and the browser test build the same scene.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from django.conf import settings
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PillowImage
from wagtail import blocks
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock

from statuscms.models import IncidentPostmortem, StatusPage
from statuscore import services
from statuscore.models import Incident, Page

PAYLOADS = {
    "img_onerror": "<img src=x onerror=alert(1)>",
    "markdown_javascript_link": "[x](javascript:alert(1))",
    "svg_onload": "<svg onload=alert(1)>",
    "attribute_breakout": '"><img src=x onerror=alert(1)>',
    "script_breakout": "</script><script>alert(1)</script>",
    "data_url_link": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
}

# Text fields of the postmortem's StreamField blocks, found from the block
# definitions, so that a block added later is covered without a change here.
TEXT_BLOCKS = (blocks.CharBlock, blocks.TextBlock, blocks.RichTextBlock)


def _postmortem_block_fields() -> list[str]:
    fields = []
    stream_block = IncidentPostmortem.body.field.stream_block
    for name, block in stream_block.child_blocks.items():
        if isinstance(block, blocks.StructBlock):
            fields.extend(
                f"postmortem.{name}.{child_name}"
                for child_name, child in block.child_blocks.items()
                if isinstance(child, TEXT_BLOCKS)
            )
        elif isinstance(block, TEXT_BLOCKS):
            fields.append(f"postmortem.{name}")
    return fields


FIELDS = [
    "page_title",
    "page_seo_title",
    "page_search_description",
    "page_intro",
    "page_footer",
    "component_group_name",
    "component_name",
    "component_description",
    "incident_title",
    "incident_update_body",
    "maintenance_title",
    "maintenance_body",
    "maintenance_update_body",
    "postmortem_title",
    "postmortem_summary",
    *_postmortem_block_fields(),
]


def marker(field: str) -> str:
    """Return the plain word that shows where a field's text was rendered."""
    return "mark" + "".join(
        part.capitalize() for part in field.replace(".", "_").split("_")
    )


def texts_with(field: str | None, payload: str | None) -> dict[str, str]:
    """Return the text of every field: its marker, plus ``payload`` in ``field``.

    With ``field`` None the payload goes into every field.
    """
    texts = {}
    for name in FIELDS:
        text = marker(name)
        if payload is not None and field in (None, name):
            text = f"{text} {payload}"
        texts[name] = text
    return texts


def _image(title: str):
    buffer = io.BytesIO()
    PillowImage.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name="figure.png")
    )


def _block_value(prefix: str, block, texts: dict[str, str]):
    """Return a value for ``block``: a field's text where it has one, else a
    valid default (a fixed time, a small image)."""
    if isinstance(block, blocks.StructBlock):
        return {
            name: _block_value(f"{prefix}.{name}", child, texts)
            for name, child in block.child_blocks.items()
        }
    if isinstance(block, blocks.RichTextBlock):
        return block.to_python(texts[prefix])
    if isinstance(block, TEXT_BLOCKS):
        return texts[prefix]
    if isinstance(block, blocks.DateTimeBlock):
        return datetime(2026, 8, 6, 18, 31, tzinfo=UTC)
    if isinstance(block, ImageChooserBlock):
        return _image("Postmortem figure")
    raise AssertionError(f"No test value for the {type(block).__name__} at {prefix}")


def _postmortem_body(texts: dict[str, str]) -> list[tuple[str, object]]:
    stream_block = IncidentPostmortem.body.field.stream_block
    return [
        (name, _block_value(f"postmortem.{name}", block, texts))
        for name, block in stream_block.child_blocks.items()
    ]


@dataclass(frozen=True)
class Scene:
    """One open incident with a live postmortem and an upcoming maintenance.

    ``urls`` are the public pages that show them: the main page, the
    incident page, the history page and the postmortem's own page.
    """

    incident: Incident
    urls: tuple[str, ...]


def build_scene(status_page: StatusPage, page: Page, texts: dict[str, str]) -> Scene:
    """Store ``texts`` in every field that reaches the public pages.

    Everything is written through ``statuscore.services`` or Wagtail's
    publishing, as an editor's change would be.
    """
    status_page.title = texts["page_title"]
    status_page.seo_title = texts["page_seo_title"]
    status_page.search_description = texts["page_search_description"]
    status_page.intro = texts["page_intro"]
    status_page.footer_text = texts["page_footer"]
    status_page.save_revision().publish()

    group = services.create_component_group(page, texts["component_group_name"])
    component = services.create_component(
        page,
        texts["component_name"],
        group=group,
        description=texts["component_description"],
    )
    incident = services.create_incident(
        page,
        texts["incident_title"],
        body=texts["incident_update_body"],
        component_statuses={component: "major_outage"},
    )

    starts_at = timezone.now() + timedelta(days=1)
    maintenance = services.schedule_maintenance(
        page,
        texts["maintenance_title"],
        starts_at,
        starts_at + timedelta(hours=2),
        components=[component],
        body=texts["maintenance_body"],
    )
    services.post_maintenance_update(maintenance, body=texts["maintenance_update_body"])

    postmortem = IncidentPostmortem(
        title=texts["postmortem_title"],
        slug="postmortem",
        incident=incident,
        summary=texts["postmortem_summary"],
        body=_postmortem_body(texts),
    )
    status_page.add_child(instance=postmortem)
    postmortem.save_revision().publish()

    urls = ("/", f"/incidents/{incident.pk}/", "/history/", postmortem.url)
    return Scene(incident=incident, urls=urls)


URL_ATTRIBUTES = frozenset(
    {
        "action",
        "background",
        "cite",
        "data",
        "formaction",
        "href",
        "poster",
        "src",
        "srcset",
        "xlink:href",
    }
)
FORBIDDEN_SCHEMES = ("javascript:", "data:", "vbscript:")
FORBIDDEN_TAGS = frozenset(
    {"applet", "base", "embed", "frame", "frameset", "iframe", "math", "object", "svg"}
)


def _scheme_of(value: str) -> str:
    """Lower-case a URL and drop the whitespace and control characters that
    browsers ignore inside a scheme, such as ``java\\tscript:``."""
    return "".join(char for char in value if char > " ").lower()


class ExecutableFinder(HTMLParser):
    """Collect every part of an HTML document that could run script.

    Allowed: ``<script>`` only with a ``src`` under ``STATIC_URL`` and no
    inline code. Found: any other ``<script>``, an element that can host
    script (``svg``, ``iframe``, ``object``...), an ``on*`` attribute,
    ``srcdoc``, a refresh ``<meta>``, and a URL attribute with the
    javascript, data or vbscript scheme. The parser decodes character
    references in attributes, as a browser does.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self._in_script = True
            if not values.get("src", "").startswith(settings.STATIC_URL):
                self.found.append(f"<script {values}>")
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")

        for name, value in values.items():
            if name.startswith("on") or name == "srcdoc":
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name in URL_ATTRIBUTES and _scheme_of(value).startswith(
                FORBIDDEN_SCHEMES
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:60]!r}")


def executable_parts(html: str) -> list[str]:
    """Return a description of every executable part of ``html``, or [] when inert."""
    finder = ExecutableFinder()
    finder.feed(html)
    finder.close()
    return finder.found
