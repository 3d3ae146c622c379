"""The Wagtail page type that publishes one ``statuscore.models.Page``."""

from __future__ import annotations

import re
from datetime import date

from django.core.validators import RegexValidator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from statuscms import feed_views
from statuscms.csp import CONTENT_SECURITY_POLICY
from statuscms.history import current_month, load_history_month
from statuscms.incident_detail import load_incident_detail
from statuscms.languages import respond_in_language
from statuscms.organization_models import (  # noqa: F401 (registers the models)
    OrganizationGroup,
    OrganizationLogEntry,
)
from statuscms.overview import load_page_overview
from statuscms.page_forms import StatusPageForm
from statuscms.subscribe import subscribe_forms

DEFAULT_BRAND_COLOR = "#1f6feb"

# \Z and not $, because $ also matches before a trailing newline.
BRAND_COLOR_PATTERN = re.compile(r"\A#(?:[0-9a-fA-F]{3}){1,2}\Z")


# Months before this year are not served: no incident is that old, and the
# first of January of year 1 cannot be converted to UTC in zones east of it.
FIRST_HISTORY_YEAR = 1970

validate_brand_color = RegexValidator(
    BRAND_COLOR_PATTERN,
    message="Enter a hex colour such as #1a2b3c or #abc.",
    code="invalid_brand_color",
)


class StatusPage(RoutablePageMixin, Page):
    """The public status page of one core page, with its branding.

    The components, incidents and maintenances shown here belong to
    ``core_page`` and are read from ``statuscore``. This model stores only
    what the CMS owns: the page's place in the Wagtail tree and its brand.

    Besides the main page it serves ``incidents/<id>/``, one incident with
    its whole timeline, and ``history/`` and ``history/<year>/<month>/``,
    the incidents of one month in the page's time zone. The machine-readable
    files ``feed.rss``, ``feed.atom``, ``maintenances.ics``, ``badge.svg``
    and the ``embed/`` widget are routes too (see ``statuscms.feed_views``).
    Wagtail serves only addresses that end in a slash, so the routes of
    the files with a dot are declared as ``feed.rss/`` and reached
    through ``statuscms.urls``, which takes ``feed.rss`` itself.
    """

    # PROTECT, because a cascade from the core page would delete the Wagtail
    # page without updating the page tree. Delete the StatusPage first.
    core_page = models.OneToOneField(
        "statuscore.Page",
        on_delete=models.PROTECT,
        related_name="cms_page",
        help_text="The status page whose components and incidents this page shows.",
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    brand_color = models.CharField(
        "brand colour",
        max_length=7,
        default=DEFAULT_BRAND_COLOR,
        validators=[validate_brand_color],
        help_text="Hex colour of the header and links, such as #1a2b3c.",
    )
    intro = models.TextField(
        blank=True,
        default="",
        help_text="Plain text shown under the overall status.",
    )
    footer_text = models.TextField(
        blank=True,
        default="",
        help_text="Plain text shown at the bottom of the page.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("core_page"),
        FieldPanel("organization"),
        MultiFieldPanel(
            [FieldPanel("logo"), FieldPanel("brand_color")],
            heading="Branding",
        ),
        FieldPanel("intro"),
        FieldPanel("footer_text"),
        MultiFieldPanel(
            [
                FieldPanel("page_time_zone"),
                FieldPanel("subscriber_channels"),
                FieldPanel("message_language"),
            ],
            heading="Time zone and subscriptions",
        ),
    ]

    base_form_class = StatusPageForm

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["statuscms.IncidentPostmortem"]

    class Meta:
        verbose_name = "status page"

    @classmethod
    def can_create_at(cls, parent) -> bool:
        # Allow only children of the tree's root, which a Site can use as its
        # root page. The "wagtailcore.Page" parent type alone would also allow
        # plain pages lower down, such as Wagtail's "Welcome" page.
        return super().can_create_at(parent) and parent.is_root()

    @property
    def safe_brand_color(self) -> str:
        """The brand colour, or the default when the stored value is invalid.

        The field validator rejects bad values in forms, but a row written
        with ``QuerySet.update()`` skips validators. The template puts this
        value inside a ``style`` attribute, so it is checked again here.
        """
        if BRAND_COLOR_PATTERN.match(self.brand_color or ""):
            return self.brand_color
        return DEFAULT_BRAND_COLOR

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["overview"] = load_page_overview(self.core_page)
        context["time_zone"] = context["overview"].time_zone
        context["subscribe_forms"] = subscribe_forms(self.core_page)
        forms = context["subscribe_forms"]
        offered = {form.notifier.name: form.notifier for form in forms}
        context["subscribed"] = offered.get(request.GET.get("subscribed", ""))
        return context

    def serve(self, request, view=None, args=None, kwargs=None):
        """Serve a route in the visitor's language, with the page's policy.

        ``ContentSecurityPolicyMiddleware`` adds the same policy to every
        public response; it is set here too for callers that serve the
        page without the middleware.
        """
        response = respond_in_language(
            request,
            self.core_page.language,
            lambda: super(StatusPage, self).serve(request, view, args, kwargs),
        )
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    def _render_route(
        self, request: HttpRequest, template: str, values: dict
    ) -> TemplateResponse:
        """Render a route's template with Wagtail's page context and ``values``.

        The main page's ``get_context`` is skipped, because it reads the
        whole overview, which these routes do not show.
        """
        context = Page.get_context(self, request)
        context.update(values)
        return TemplateResponse(request, template, context)

    @path("", name="main")
    @method_decorator(require_safe)
    def main_route(self, request: HttpRequest) -> HttpResponse:
        """Serve the page. Its "Subscribe to updates" forms post to
        ``statuscms.subscribe_views.subscribe``, so the page holds no
        per-visitor token and can be served from a snapshot."""
        return self.render(request)

    @path("incidents/<int:incident_id>/", name="incident")
    @method_decorator(require_safe)
    def incident_route(self, request: HttpRequest, incident_id: int) -> HttpResponse:
        """Serve one public incident of this page, else 404."""
        detail = load_incident_detail(self.core_page, incident_id)
        if detail is None:
            raise Http404("No such incident on this page.")
        return self._render_route(
            request,
            "statuscms/incident_page.html",
            {"detail": detail, "time_zone": detail.time_zone},
        )

    @path("history/", name="history")
    @path("history/<int:year>/<int:month>/", name="history_month")
    @method_decorator(require_safe)
    def history_route(
        self, request: HttpRequest, year: int | None = None, month: int | None = None
    ) -> HttpResponse:
        """Serve one month of incident history; the current month by default.

        A month that does not exist, lies after the current one or before
        ``FIRST_HISTORY_YEAR`` is 404, so crawlers following the paging
        links find an end. A year after the current one is rejected before
        it reaches ``date``, which ends at year 9999.
        """
        latest = current_month(self.core_page)
        if year is None:
            chosen = latest
        elif not FIRST_HISTORY_YEAR <= year <= latest.year or not 1 <= month <= 12:
            raise Http404("No such month in the incident history.")
        else:
            chosen = date(year, month, 1)
        if chosen > latest:
            raise Http404("This month has not begun in the page's time zone.")

        history = load_history_month(self.core_page, chosen)
        return self._render_route(
            request,
            "statuscms/history_page.html",
            {
                "history": history,
                "is_latest": chosen == latest,
                "time_zone": history.time_zone,
            },
        )

    @path("feed.rss/", name="feed_rss")
    @method_decorator(require_safe)
    def rss_route(self, request: HttpRequest) -> HttpResponse:
        """Serve the RSS 2.0 feed of the page's public incident updates."""
        return feed_views.serve_rss(request, self)

    @path("feed.atom/", name="feed_atom")
    @method_decorator(require_safe)
    def atom_route(self, request: HttpRequest) -> HttpResponse:
        """Serve the Atom feed of the page's public incident updates."""
        return feed_views.serve_atom(request, self)

    @path("maintenances.ics/", name="maintenance_calendar")
    @method_decorator(require_safe)
    def calendar_route(self, request: HttpRequest) -> HttpResponse:
        """Serve the iCalendar file of the page's maintenances."""
        return feed_views.serve_calendar(request, self)

    @path("badge.svg/", name="badge")
    @method_decorator(require_safe)
    def badge_route(self, request: HttpRequest) -> HttpResponse:
        """Serve the SVG badge of the page's overall status."""
        return feed_views.serve_badge(request, self)

    @path("embed/", name="embed")
    @method_decorator(require_safe)
    def embed_route(self, request: HttpRequest) -> HttpResponse:
        """Serve the status widget that other sites may frame."""
        return feed_views.serve_embed(request, self)


# Django registers a model when its module is imported; importing the other
# model modules here loads them with the app.
from statuscms.drafts import (  # noqa: E402,F401
    DraftPublication,
    IncidentDraft,
    IncidentReview,
)
from statuscms.incident_templates import IncidentTemplate  # noqa: E402,F401
from statuscms.postmortems import IncidentPostmortem  # noqa: E402,F401
