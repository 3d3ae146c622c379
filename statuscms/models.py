"""The Wagtail page type that publishes one ``statuscore.models.Page``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page, Site

from statuscms import access_views, feed_views
from statuscms.branding import (
    CUSTOM_CSS_MAX_LENGTH,
    DEFAULT_BRAND_COLOR,
    Layout,
    Theme,
    brand_css,
    checked_custom_css,
    is_safe_link,
    safe_color,
    validate_brand_color,
    validate_custom_css,
)
from statuscms.component_detail import load_component_detail
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
from statuscms.subscribe import return_path, subscribe_forms
from statuscore.access import check_access, is_public, mark_private
from statuscore.api.pages import PRIVATE_PAGE_ATTRIBUTE
from statuscore.models import PageAccess

# Routes that a visitor denied by the page's access rule may still reach,
# because they show nothing of the page.
ACCESS_ROUTES = frozenset({"password_route", "sign_in_route"})

# Routes read by feed readers, calendars, <img> tags and iframes. A denied
# visitor gets a short 403 from them (statuscms.access_views.deny_file),
# not the password form or a redirect to the sign-in form.
FILE_ROUTES = frozenset(
    {"rss_route", "atom_route", "calendar_route", "badge_route", "embed_route"}
)

# The path on the main site's host under which every status page is also
# served, as /pages/<core page slug>/.
MAIN_SITE_PREFIX = "/pages/"

# Months before this year are not served: no incident is that old, and the
# first of January of year 1 cannot be converted to UTC in zones east of it.
FIRST_HISTORY_YEAR = 1970


def main_site_path(slug: str) -> str:
    """Return the path of a status page on the main site's host."""
    return f"{MAIN_SITE_PREFIX}{slug}/"


class StatusPage(RoutablePageMixin, Page):
    """The public status page of one core page, with its branding.

    The components, incidents and maintenances shown here belong to
    ``core_page`` and are read from ``statuscore``. This model stores only
    what the CMS owns: the page's place in the Wagtail tree and its brand.

    Besides the main page it serves ``incidents/<id>/``, one incident with
    its whole timeline, ``components/<id>/``, one component with its uptime
    bars, response times and recent incidents, and ``history/`` and
    ``history/<year>/<month>/``, the incidents of one month in the page's
    time zone. The machine-readable files ``feed.rss``, ``feed.atom``,
    ``maintenances.ics``, ``badge.svg`` and the ``embed/`` widget are routes
    too (see ``statuscms.feed_views``). Wagtail serves only addresses that
    end in a slash, so the routes of the files with a dot are declared as
    ``feed.rss/`` and reached through ``statuscms.urls``, which takes
    ``feed.rss`` itself.
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
    favicon = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Square image shown in the browser tab. Empty: a plain dot.",
    )
    header_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Wide image shown across the top of the header, cropped to 5:1.",
    )
    brand_color = models.CharField(
        "brand colour",
        max_length=7,
        default=DEFAULT_BRAND_COLOR,
        validators=[validate_brand_color],
        help_text=(
            "Hex colour of the header and buttons, such as #1a2b3c. Their text "
            "is black or white, whichever is easier to read."
        ),
    )
    brand_color_dark = models.CharField(
        "brand colour in the dark theme",
        max_length=7,
        blank=True,
        default="",
        validators=[validate_brand_color],
        help_text="Hex colour used instead in the dark theme. Empty: the brand colour.",
    )
    theme = models.CharField(
        max_length=8,
        choices=Theme.choices,
        default=Theme.AUTO,
        help_text="The theme a visitor sees first; visitors can switch it.",
    )
    layout = models.CharField(
        max_length=8,
        choices=Layout.choices,
        default=Layout.LIST,
        help_text="How the components are laid out.",
    )
    custom_css = models.TextField(
        "custom CSS",
        blank=True,
        default="",
        validators=[MaxLengthValidator(CUSTOM_CSS_MAX_LENGTH), validate_custom_css],
        help_text=(
            "CSS added after the page's own stylesheets. Not allowed: “<”, "
            "backslashes, @import, url(), src(), image() and image-set(), so "
            "it loads no files."
        ),
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
            [
                FieldPanel("logo"),
                FieldPanel("favicon"),
                FieldPanel("header_image"),
                FieldPanel("brand_color"),
                FieldPanel("brand_color_dark"),
                FieldPanel("theme"),
                FieldPanel("layout"),
                FieldPanel("custom_css"),
            ],
            heading="Branding",
        ),
        FieldPanel("intro"),
        FieldPanel("footer_text"),
        InlinePanel("footer_links", heading="Footer links", max_num=10),
        MultiFieldPanel(
            [
                FieldPanel("page_time_zone"),
                FieldPanel("subscriber_channels"),
                FieldPanel("message_language"),
            ],
            heading="Time zone and subscriptions",
        ),
        MultiFieldPanel(
            [
                FieldPanel("page_domain"),
                FieldPanel("access_mode"),
                FieldPanel("access_password"),
                FieldPanel("ip_allowlist"),
            ],
            heading="Domain and access",
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
        value inside a ``<style>`` element, so it is checked again here.
        """
        return safe_color(self.brand_color, DEFAULT_BRAND_COLOR)

    @property
    def theme_attribute(self) -> str:
        """The ``data-theme`` value of the page's theme; empty for automatic."""
        return self.theme if self.theme in (Theme.LIGHT, Theme.DARK) else ""

    @property
    def safe_layout(self) -> str:
        """The layout, or the list layout when the stored value is unknown."""
        return self.layout if self.layout in Layout.values else Layout.LIST

    @property
    def brand_css(self) -> str:
        """CSS setting ``--brand`` and ``--on-brand`` from the brand colours."""
        dark = safe_color(self.brand_color_dark, "")
        return brand_css(self.safe_brand_color, dark)

    @property
    def safe_footer_links(self) -> list[FooterLink]:
        """The footer links, without any whose URL breaks the link rules."""
        return [link for link in self.footer_links.all() if is_safe_link(link.url)]

    @property
    def safe_custom_css(self) -> str:
        """The custom CSS, or nothing when the stored text breaks its rules."""
        return checked_custom_css(self.custom_css, self.pk)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["overview"] = load_page_overview(self.core_page)
        context["time_zone"] = context["overview"].time_zone
        context["subscribe_forms"] = subscribe_forms(self.core_page)
        forms = context["subscribe_forms"]
        offered = {form.notifier.name: form.notifier for form in forms}
        context["subscribed"] = offered.get(request.GET.get("subscribed", ""))
        context["subscribe_return_path"] = return_path(request)
        return context

    def get_url_parts(self, request=None):
        """Return Wagtail's URL parts, with the main site's path where needed.

        While a request is served under ``/pages/<slug>/`` on the main site,
        this page's links stay under that path. A status page that no
        Wagtail site contains is linked at that path too, so every status
        page has an address.
        """
        prefix = getattr(request, "status_page_prefix", None)
        if prefix is not None and getattr(request, "status_page_id", None) == self.pk:
            site = Site.find_for_request(request)
            return (site.pk if site else None, site.root_url if site else "", prefix)

        parts = super().get_url_parts(request)
        if parts is not None:
            return parts
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            return None
        return (site.pk, site.root_url, main_site_path(self.core_page.slug))

    def serve_with_access(
        self, request: HttpRequest, serve: Callable[[], HttpResponse], route: str = ""
    ) -> HttpResponse:
        """Return ``serve()`` if the page's access rule lets the visitor read
        this page, else the answer of :func:`statuscms.access_views.deny`.

        ``route`` names the route method; the password and sign-in routes
        are served to everyone, and the file routes (``FILE_ROUTES``) of a
        denied visitor answer 403 with a short plain-text body. Responses
        of a page that is not public carry ``noindex`` and
        ``Cache-Control: private, no-store``, denied ones included.
        Postmortem pages below this page are served through here.
        Every response is in the visitor's language
        (:func:`statuscms.languages.respond_in_language`).
        """
        core_page = self.core_page

        def respond() -> HttpResponse:
            if is_public(core_page):
                return serve()
            setattr(request, PRIVATE_PAGE_ATTRIBUTE, True)
            decision = check_access(request, core_page)
            if decision.allowed or route in ACCESS_ROUTES:
                response = serve()
            elif route in FILE_ROUTES:
                response = access_views.deny_file(decision)
            else:
                response = access_views.deny(self, request, decision)
            mark_private(response)
            return response

        response = respond_in_language(request, core_page.language, respond)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    def serve(self, request, view=None, args=None, kwargs=None):
        def serve_route() -> HttpResponse:
            return super(StatusPage, self).serve(request, view, args, kwargs)

        return self.serve_with_access(
            request, serve_route, getattr(view, "__name__", "")
        )

    @path("password/", name="password")
    def password_route(self, request: HttpRequest) -> HttpResponse:
        """Show and check the password form of a password-protected page;
        404 on pages of another mode."""
        if self.core_page.access != PageAccess.PASSWORD:
            raise Http404("This page has no password.")
        return access_views.password_view(self, request)

    @path("sign-in/", name="sign_in")
    def sign_in_route(self, request: HttpRequest) -> HttpResponse:
        """Sign in a member of the organisation; 404 on public pages."""
        if self.core_page.access == PageAccess.PUBLIC:
            raise Http404("This page needs no sign-in.")
        return access_views.sign_in_view(self, request)

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

    @path("components/<int:component_id>/", name="component")
    @method_decorator(require_safe)
    def component_route(self, request: HttpRequest, component_id: int) -> HttpResponse:
        """Serve one component that the main page shows, else 404."""
        detail = load_component_detail(self.core_page, component_id)
        if detail is None:
            raise Http404("No such component on this page.")
        return self._render_route(
            request,
            "statuscms/component_page.html",
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
from statuscms.footer_links import FooterLink  # noqa: E402,F401
from statuscms.incident_templates import IncidentTemplate  # noqa: E402,F401
from statuscms.postmortems import IncidentPostmortem  # noqa: E402,F401
